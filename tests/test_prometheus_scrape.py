"""A real Prometheus scrapes the demo exporter (`python -m prometheus_express`)."""
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

from services import Prometheus, free_port, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DemoScrapedByPrometheus(unittest.TestCase):
    def test_up_and_sensor_values(self):
        port = free_port()
        demo = subprocess.Popen([sys.executable, '-m', 'prometheus_express', '--addr',
                                 '127.0.0.1', '--port', str(port), '--interval', '0.2'],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        prom = None
        try:
            prom = Prometheus(targets=['127.0.0.1:%d' % port])
            targets = wait_for(lambda: [t for t in prom.query('up') if t['value'][1] == '1'],
                               timeout=60)
            self.assertEqual(targets[0]['metric']['job'], 'board')
            temps = wait_for(lambda: prom.query('prom_express_temperature_celsius'), timeout=30)
            self.assertEqual(sorted(t['metric']['sensor'] for t in temps), ['bme680', 'si7021'])
            for t in temps:
                self.assertTrue(15 < float(t['value'][1]) < 35, t)
            reads = wait_for(lambda: [r for r in prom.query(
                'prom_express_sensor_reads_total{sensor="bme680"}') if float(r['value'][1]) > 1])
            self.assertEqual(len(reads), 1)
            # Prometheus itself counted no failed scrapes of the board.
            time.sleep(2)
            fails = prom.query('sum_over_time(up{job="board"}[1m]) < count_over_time(up{job="board"}[1m])')
            self.assertEqual(fails, [])
            lat = prom.query('prom_express_http_request_duration_seconds_count{path="/metrics"}')
            self.assertTrue(lat and float(lat[0]['value'][1]) >= 1, lat)
        finally:
            if prom:
                prom.stop()
            demo.send_signal(signal.SIGINT)  # Ctrl-C
            out = demo.communicate(timeout=10)[0].decode()
        self.assertIn('serving simulated sensors', out)
        self.assertEqual(demo.returncode, 0, out)  # a clean stop, no traceback
        self.assertNotIn('Traceback', out)
        self.assertIn('stopped', out)

    def test_sigterm_stops_cleanly(self):
        port = free_port()
        demo = subprocess.Popen([sys.executable, '-m', 'prometheus_express', '--addr',
                                 '127.0.0.1', '--port', str(port)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for(lambda: socket.create_connection(('127.0.0.1', port), timeout=1).close() or True,
                 timeout=10)
        demo.terminate()
        out = demo.communicate(timeout=10)[0].decode()
        self.assertEqual(demo.returncode, 0, out)
        self.assertIn('stopped', out)


if __name__ == '__main__':
    unittest.main()
