"""Push to a real Pushgateway (Debian prometheus-pushgateway) on 127.0.0.1."""
import unittest

import prometheus_client as pc

import prometheus_express as pe
from prometheus_express.push import (PushError, basic_auth_handler, delete_from_gateway,
                                     push_to_gateway, pushadd_to_gateway)

from services import Pushgateway, get_json

KEYS = {'instance': 'board/7', 'room': 'living room', 'city': 'Zürich ☃', 'empty': ''}


def groups(gw):
    out = {}
    for g in get_json(gw.url + '/api/v1/metrics')['data']:
        key = tuple(sorted(g['labels'].items()))
        out[key] = {name: [(m['labels'], float(m['value'])) for m in fam['metrics']]
                    for name, fam in g.items() if isinstance(fam, dict) and 'metrics' in fam}
    return out


class RealGateway(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gw = Pushgateway()

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()

    def registry(self, temp=21.5, extra=None):
        r = pe.CollectorRegistry()
        pe.Gauge('room_temperature_celsius', 'Room temperature.', ['sensor'],
                 registry=r).labels('si7021').set(temp)
        if extra:
            pe.Counter(extra, 'Wake-ups.', registry=r).inc(7)
        return r

    def test_push_pushadd_delete_with_odd_grouping_keys(self):
        gkey = tuple(sorted(dict(KEYS, job='greenhouse').items()))
        push_to_gateway(self.gw.url, 'greenhouse', self.registry(extra='wakeups'), KEYS)
        g = groups(self.gw)[gkey]
        self.assertEqual(g['room_temperature_celsius'],
                         [(dict(KEYS, job='greenhouse', sensor='si7021'), 21.5)])
        self.assertEqual(g['wakeups_total'][0][1], 7.0)
        self.assertIn('wakeups_created', g)  # pushed as upstream does

        # POST replaces only the metrics it names; PUT replaces the whole group.
        pushadd_to_gateway('127.0.0.1:%d' % self.gw.port, 'greenhouse', self.registry(23),
                           KEYS)
        g = groups(self.gw)[gkey]
        self.assertEqual(g['room_temperature_celsius'][0][1], 23.0)
        self.assertIn('wakeups_total', g)
        push_to_gateway(self.gw.url, 'greenhouse', self.registry(24), KEYS)
        g = groups(self.gw)[gkey]
        self.assertEqual(g['room_temperature_celsius'][0][1], 24.0)
        self.assertNotIn('wakeups_total', g)

        delete_from_gateway(self.gw.url, 'greenhouse', KEYS)
        self.assertNotIn(gkey, groups(self.gw))

    def test_gateway_rejection_is_a_clear_error(self):
        r = pe.CollectorRegistry()

        class Stamped:
            def collect(self):
                g = pe.GaugeMetricFamily('stamped', 'Has a timestamp.')
                g.add_metric([], 1, timestamp=1700000000)
                yield g
        r.register(Stamped())
        with self.assertRaises(PushError) as cm:
            push_to_gateway(self.gw.url, 'bad', r)
        self.assertEqual(cm.exception.status, 400)
        self.assertIn('timestamp', str(cm.exception))

    def test_unreachable_gateway_raises_oserror(self):
        from services import free_port
        with self.assertRaises(OSError):
            push_to_gateway('127.0.0.1:%d' % free_port(), 'j', self.registry(), timeout=2)

    def test_basic_auth_handler_sends_header(self):
        # The gateway runs without auth: the push still lands, with the header on the wire
        # (checked byte for byte in test_push_fake under both runtimes).
        seen = []

        def handler(url, method, timeout, headers, data):
            def h():
                basic_auth_handler(url, method, timeout, headers, data, 'u', 'p')()
                seen.append(data)
            return h
        push_to_gateway(self.gw.url, 'authjob', self.registry(), handler=handler)
        self.assertTrue(seen and b'room_temperature_celsius' in seen[0])
        self.assertIn((('job', 'authjob'),), [k for k in groups(self.gw)])


class SameRequestsAsUpstream(unittest.TestCase):
    def test_url_method_headers_and_body(self):
        pc.disable_created_metrics()
        pe.disable_created_metrics()
        try:
            for fn_pe, fn_pc in ((push_to_gateway, pc.push_to_gateway),
                                 (pushadd_to_gateway, pc.pushadd_to_gateway)):
                got = []

                def capture(url, method, timeout, headers, data):
                    return lambda: got.append((url, method, list(headers), data))
                for lib, fn in ((pe, fn_pe), (pc, fn_pc)):
                    r = lib.CollectorRegistry()
                    lib.Counter('c', 'C.', ['a'], registry=r).labels('x').inc()
                    fn('gw:9091', 'my job', r, dict(KEYS, n=3), handler=capture)
                self.assertEqual(got[0], got[1])
            got = []
            delete_from_gateway('https://gw/', 'j', KEYS, handler=capture)
            pc.delete_from_gateway('https://gw/', 'j', KEYS, handler=capture)
            self.assertEqual(got[0], got[1])
        finally:
            pc.enable_created_metrics()
            pe.enable_created_metrics()


if __name__ == '__main__':
    unittest.main()
