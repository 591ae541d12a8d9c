# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs, the board interpreters)
"""Sensors that stop answering: a series of a metric made with expire= leaves the page when
nothing updated it for that long (on the monotonic clock), and reading() removes a series
and counts the failure when its read raises. A program that uses neither pays nothing."""
import sys
import time
import unittest

from prometheus_express import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_express.exposition import generate_latest


def page(r):
    return generate_latest(r).decode()


class Expiry(unittest.TestCase):
    def test_a_silent_sensor_leaves_the_page_and_comes_back(self):
        r = CollectorRegistry()
        t = Gauge('temperature_celsius', 'Temperature.', ['sensor'], registry=r, expire=0.3)
        t.labels('bme680').set(21.5)
        t.labels('si7021').set(22.0)
        self.assertIn('sensor="si7021"', page(r))
        for _ in range(4):  # bme680 keeps being read; si7021 went silent
            time.sleep(0.1)
            t.labels('bme680').set(21.5)
        out = page(r)
        self.assertIn('temperature_celsius{sensor="bme680"} 21.5\n', out)
        self.assertFalse('si7021' in out)
        self.assertIsNone(r.get_sample_value('temperature_celsius', {'sensor': 'si7021'}))
        t.labels('si7021').set(23.0)  # it answers again
        self.assertIn('temperature_celsius{sensor="si7021"} 23.0\n', page(r))

    def test_counters_and_histograms_expire_too(self):
        r = CollectorRegistry()
        c = Counter('reads', 'Reads.', ['sensor'], registry=r, expire=0.2)
        h = Histogram('read_seconds', 'Read time.', ['sensor'], registry=r, expire=0.2,
                      buckets=(0.1, 1))
        c.labels('a').inc()
        h.labels('a').observe(0.05)
        self.assertIn('reads_total{sensor="a"} 1.0', page(r))
        time.sleep(0.3)
        out = page(r)
        self.assertFalse('sensor="a"' in out)

    def test_expire_needs_labels(self):
        with self.assertRaises(ValueError):
            Gauge('g', 'd', registry=None, expire=10)

    def test_what_the_sweep_removes_with_is_loaded_with_it(self):
        # A sweep runs while a page is written, maybe at the heap's limits: what it removes
        # children with is compiled when expire= is first used, not then.
        for name in ('prometheus_express.staleness', 'prometheus_express.removal'):
            sys.modules.pop(name, None)  # (other tests loaded them: load them anew)
        Gauge('early', 'd', ['k'], registry=None, expire=10)
        self.assertTrue('prometheus_express.removal' in sys.modules)

    def test_costs_nothing_without_it(self):
        r = CollectorRegistry()
        g = Gauge('plain', 'd', ['k'], registry=r)
        c = g.labels('x')
        c.set(1)
        self.assertFalse(hasattr(c, '_t'))
        if 'prometheus_express.staleness' in sys.modules:
            return  # (another test loaded it: what matters is the child's attributes)
        page(r)
        self.assertFalse('prometheus_express.staleness' in sys.modules)


class Reading(unittest.TestCase):
    def test_a_failed_read_removes_the_series_and_counts_it(self):
        from prometheus_express.staleness import reading
        r = CollectorRegistry()
        t = Gauge('temperature_celsius', 'Temperature.', ['sensor'], registry=r)
        errors = Counter('sensor_read_errors', 'Failed reads.', ['sensor'], registry=r)
        with reading(t, 'bme680', failures=errors):
            t.labels('bme680').set(21.5)
        self.assertIn('temperature_celsius{sensor="bme680"} 21.5', page(r))

        def bus_hung():
            raise OSError(19)  # ENODEV: the I2C sensor did not answer
        with reading(t, 'bme680', failures=errors) as rd:
            t.labels('bme680').set(bus_hung())
        self.assertEqual(rd.error.args[0], 19)
        out = page(r)
        self.assertFalse('temperature_celsius{' in out)
        self.assertIn('sensor_read_errors_total{sensor="bme680"} 1.0', out)
        with reading(t, 'bme680', failures=errors):  # it answers again
            t.labels('bme680').set(21.0)
        self.assertIn('temperature_celsius{sensor="bme680"} 21.0', page(r))

    def test_not_an_error_is_not_swallowed(self):
        from prometheus_express.staleness import reading
        t = Gauge('t', 'd', ['sensor'], registry=None)

        class Stop(BaseException):
            pass
        with self.assertRaises(Stop):
            with reading(t, 'a'):
                raise Stop()


if __name__ == '__main__':
    unittest.main()
