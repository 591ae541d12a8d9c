"""On CPython/Linux the board collector exports prometheus_client's process_* metrics."""
import unittest

import prometheus_client as pc

import prometheus_express as pe
from prometheus_express.board import BoardCollector


class Process(unittest.TestCase):
    def test_same_names_and_close_values(self):
        ours = pe.CollectorRegistry()
        BoardCollector(ours)
        theirs = pc.CollectorRegistry()
        pc.ProcessCollector(registry=theirs)
        names = {s.name for m in theirs.collect() for s in m.samples}
        ours_names = {s.name for m in ours.collect() for s in m.samples}
        self.assertTrue(names <= ours_names, names - ours_names)
        for n in ('process_start_time_seconds', 'process_max_fds'):
            self.assertEqual(ours.get_sample_value(n), theirs.get_sample_value(n))
        a = ours.get_sample_value('process_resident_memory_bytes')
        b = theirs.get_sample_value('process_resident_memory_bytes')
        self.assertLess(abs(a - b) / b, 0.2)
        self.assertIn(b'# TYPE process_cpu_seconds_total counter', pe.generate_latest(ours))


if __name__ == '__main__':
    unittest.main()
