"""Installing with mip, end to end on micropython-board: the mip of 1.22-1.24 firmware and
today's (../shared/tools/mip/old and new, unchanged from micropython-lib) install the package
into a fresh folder from an index served on 127.0.0.1 (tools/build_index.py: .mpy files, and
.py with mpy=False) and from the absolute-URL package.json it writes; the installed copy then
serves a scrape. The repository's own package.json (relative URLs) installs with today's mip
and, as MicroPython's history says, not with the old one. Skipped with a message where
../shared/tools is absent; under .ci/run a missing tool fails."""
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

from services import REQUIRED, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import build_index  # noqa: E402

SERVE = '''
import sys
from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.server import MetricsServer
import prometheus_express.metrics as m
print('FROM', m.__file__)
r = CollectorRegistry()
Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=r).labels('north').set(0.5)
s = MetricsServer(int(sys.argv[1]), '127.0.0.1', r)
print('READY')
while True:
    s.poll(0.2)
'''


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class Mip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.board = os.path.join(TOOLS, 'micropython-board')
        cls.mips = os.path.join(TOOLS, 'mip')
        if not (os.access(cls.board, os.X_OK) and os.path.isdir(cls.mips)):
            if REQUIRED:
                raise AssertionError('%s or %s is missing' % (cls.board, cls.mips))
            raise unittest.SkipTest('no micropython-board or mip here')
        cls.dir = tempfile.mkdtemp(prefix='promexp-mip-')
        cls.port = free_port()
        cls.url = 'http://127.0.0.1:%d' % cls.port
        web = os.path.join(cls.dir, 'web')
        os.makedirs(web)
        build_index.build(os.path.join(web, 'index'), cls.url + '/index')
        repo = os.path.join(web, 'repo')  # the repository as a web server has it
        os.makedirs(repo)
        shutil.copy(os.path.join(ROOT, 'package.json'), repo)
        shutil.copytree(os.path.join(ROOT, 'prometheus_express'),
                        os.path.join(repo, 'prometheus_express'))
        cls.httpd = http.server.ThreadingHTTPServer(
            ('127.0.0.1', cls.port), functools.partial(_Quiet, directory=web))
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        shutil.rmtree(cls.dir, True)

    def install(self, mip, call):
        """Run `call` (mip.install(..., target=T)) with that mip; (output, T)."""
        target = tempfile.mkdtemp(dir=self.dir)
        code = 'import mip\n' + call.replace('T', repr(target))
        p = subprocess.run([self.board, '-X', 'heapsize=512k', '-c', code],
                           env=dict(os.environ, MICROPYPATH='.frozen:' + os.path.join(
                               self.mips, mip)), capture_output=True, text=True, timeout=120)
        return p.stdout + p.stderr, target

    def serves(self, target, ext):
        """The installed copy (and nothing else: not this checkout) serves a scrape."""
        import urllib.request
        names = sorted(os.listdir(os.path.join(target, 'prometheus_express')))
        self.assertIn('metrics' + ext, names)
        self.assertEqual(len(names), len(build_index.modules()))
        port = free_port()
        script = os.path.join(target, 'serve.py')
        with open(script, 'w') as f:
            f.write(SERVE)
        p = subprocess.Popen([self.board, '-X', 'heapsize=96k', script, str(port)],
                             env=dict(os.environ, MICROPYPATH='.frozen:' + target),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            first = p.stdout.readline()
            self.assertIn(os.path.join(target, 'prometheus_express', 'metrics' + ext), first)
            self.assertEqual(p.stdout.readline().strip(), 'READY')
            body = urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                          timeout=10).read()
            self.assertIn(b'soil_moisture_ratio{bed="north"} 0.5\n', body)
        finally:
            p.kill()
            p.wait()

    def test_index_mpy_with_both_mips(self):
        for mip in ('old', 'new'):
            with self.subTest(mip):
                out, target = self.install(
                    mip, "mip.install('prometheus_express', index=%r, target=T)"
                    % (self.url + '/index'))
                self.assertIn('Done', out)
                self.serves(target, '.mpy')

    def test_index_py_with_both_mips(self):
        for mip in ('old', 'new'):
            with self.subTest(mip):
                out, target = self.install(
                    mip, "mip.install('prometheus_express', index=%r, target=T, mpy=False)"
                    % (self.url + '/index'))
                self.assertIn('Done', out)
                self.serves(target, '.py')

    def test_absolute_package_json_with_both_mips(self):
        for mip in ('old', 'new'):
            with self.subTest(mip):
                out, target = self.install(
                    mip, "mip.install(%r, target=T)" % (self.url + '/index/package.json'))
                self.assertIn('Done', out)
                self.serves(target, '.py')

    def test_repository_package_json(self):
        """Relative URLs: today's mip resolves them; the old one cannot (it passes them to
        requests as they are), which is why the index and its package.json exist."""
        out, target = self.install('new', "mip.install(%r, target=T)"
                                   % (self.url + '/repo/package.json'))
        self.assertIn('Done', out)
        self.serves(target, '.py')
        out, target = self.install('old', "mip.install(%r, target=T)"
                                   % (self.url + '/repo/package.json'))
        self.assertNotIn('Done', out)


if __name__ == '__main__':
    unittest.main()
