"""Updates from many CPython threads lose nothing (each metric guards its values with a lock)."""
import threading
import unittest

import prometheus_express as pe


class Threads(unittest.TestCase):
    def test_concurrent_updates_are_exact(self):
        r = pe.CollectorRegistry()
        c = pe.Counter('c', 'C.', ['k'], registry=r)
        g = pe.Gauge('g', 'G.', registry=r)
        h = pe.Histogram('h', 'H.', buckets=(1, 2), registry=r)
        s = pe.Summary('s', 'S.', registry=r)

        def work(i):
            for _ in range(20000):
                c.labels(str(i % 3)).inc()
                g.inc(2)
                g.dec()
                h.observe(1.5)
                s.observe(1)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = sum(r.get_sample_value('c_total', {'k': str(k)}) for k in range(3))
        self.assertEqual(total, 120000)
        self.assertEqual(r.get_sample_value('g'), 120000)
        self.assertEqual(r.get_sample_value('h_count'), 120000)
        self.assertEqual(r.get_sample_value('h_bucket', {'le': '2.0'}), 120000)
        self.assertEqual(r.get_sample_value('h_sum'), 180000.0)
        self.assertEqual(r.get_sample_value('s_count'), 120000)

    def test_render_while_children_are_added(self):
        r = pe.CollectorRegistry()
        g = pe.Gauge('g', 'G.', ['i'], registry=r)
        stop = []

        def add():
            i = 0
            while not stop and i < 5000:
                g.labels(str(i)).set(i)
                i += 1

        t = threading.Thread(target=add)
        t.start()
        try:
            for _ in range(50):
                page = pe.generate_latest(r).decode()
                self.assertTrue(page.startswith('# HELP g G.\n# TYPE g gauge\n'))
        finally:
            stop.append(1)
            t.join()


if __name__ == '__main__':
    unittest.main()
