"""An AirLift board: the exporter on the ESP32-SPI socketpool, through the unmodified Adafruit
driver (adafruit_esp32spi 11.1.4, installed by .ci/run into .venv/esp32spi) over an emulated
co-processor running nina-fw (tests/esp32spi/nina.py), on CPython and on circuitpython-board
(224 KB heap, as the WIZnet board's. The emulator and the fake busio, digitalio and board
hold 17.7 KB of it, and each emulated command allocates as it goes: at 192 KB one full run
of this file in five failed, at 176 KB the example failed with the emulator out of heap). The driver's own socket calls do not suit a server (its accept raises when nobody
waits, recv_into returns 0 for "nothing yet", send collects garbage every call and waits for
room without end): prometheus_express/_pysockets.py's EspSocket asks the co-processor itself.

The soak: 600 curl scrapes and a real Prometheus scraping every second, between 12 bursts of
wrk -c4, with, in turn, 8 silent clients, 8 clients that ask and never read (with the
window a client has by default, which holds the page) and resets in the middle of answers.
After each, the next scrapes are whole. At the end: no connection holds a co-processor socket
(none leaked), no poll(0.25) took longer than half a second, no failure is counted as
`other`. Then what the co-processor cannot avoid, shown as it is: a client with a tiny window
that never reads a page larger than it and the co-processor hold (2,000 series) holds the board while nina-fw's write waits for room (10 tries of a second
without progress), once; the driver then closes it, the server counts a timeout and serves
again, no socket lost. Skipped with a message where the driver or ../shared/tools/w5500 (its
fake busio, digitalio, board and busdevice) is absent; under .ci/run a missing one fails."""
import os
import socket
import subprocess
import time
import unittest

from emulated import (HERE, ROOT, SERIES, W5500, BoardProcess, GET, at_once, example_at_work,
                      present, resets, scrape, silent, whole)
from services import Prometheus, need, stalled_reader, wait_for

ESP = os.path.join(HERE, 'esp32spi')
DRIVER = os.path.join(ROOT, '.venv', 'esp32spi')
HEAP = '224k'


class Board(BoardProcess):
    """tests/boards/esp32spi_exporter.py on 'cpython' or 'circuitpython-board'."""

    def __init__(self, runtime, series=SERIES, script='esp32spi_exporter.py', args=None,
                 extra=(), heap=HEAP, port=None):
        present(os.path.join(W5500, 'busio.py'), 'the fake busio of the W5500 emulator')
        present(os.path.join(DRIVER, 'adafruit_esp32spi'),
                'the ESP32-SPI driver (.ci/run installs it)')
        BoardProcess.__init__(self, runtime, script, args or [series], [
            ESP, os.path.join(ESP, 'circuitpython'), os.path.join(HERE, 'boards'), W5500,
            os.path.join(W5500, 'circuitpython'), os.path.join(W5500, 'lib'), DRIVER, ROOT] +
            list(extra), heap, port)


def started(test, runtime, series=SERIES):
    board = Board(runtime, series)
    test.addCleanup(board.kill)
    if not board.first.startswith('READY'):
        board.p.kill()
        test.fail(board.first + board.p.stdout.read())
    # nina-fw's 6 sockets: 1 listening (lwIP queues the clients), 5 for connections
    test.assertIn('listeners 1 max_connections 5', board.first)
    return board


def no_leak(test, out, res):
    """The co-processor's sockets at the end: none held by a connection. (The listener's
    number is free again after server.close(), but nina-fw never ends a NetworkServer: 'l'.)"""
    test.assertEqual(res.get('START'), '------', out)
    test.assertEqual(res.get('LISTENING'), 'L-----', out)
    test.assertIn(res.get('END'), ('------', 'l-----'), out)


class Soak(unittest.TestCase):
    def soak(self, runtime):
        wrk = need('wrk')
        curl = need('curl')
        board = started(self, runtime)
        port = board.port
        url = 'http://127.0.0.1:%d/metrics' % port
        prom = Prometheus(targets=['127.0.0.1:%d' % port])
        self.addCleanup(prom.stop)
        curled = 0
        failed_after = []

        def settled(what):
            """Once one scrape is whole (within 2 s), the next three are whole."""
            deadline = time.time() + 2
            while not whole(scrape(port)):
                if time.time() > deadline:
                    failed_after.append((what, 'none within 2 s'))
                    return
                time.sleep(0.1)
            for i in range(3):
                if not whole(scrape(port)):
                    failed_after.append((what, i))

        hostile = [silent, self.non_readers, resets]
        for burst in range(12):
            subprocess.run([wrk, '-t1', '-c4', '-d0.5s', url], capture_output=True,
                           timeout=30)
            settled('burst %d' % burst)
            out = subprocess.run([curl, '-s', '--max-time', '5', '-o', '/dev/null', '-w',
                                  '%{http_code}\\n'] + [url] * 50, capture_output=True,
                                 text=True, timeout=120).stdout.split()
            curled += out.count('200')
            phase = hostile[burst % 3]
            phase(port)
            settled('%s after burst %d' % (phase.__name__, burst))
        self.assertEqual(failed_after, [])
        self.assertTrue(curled >= 595, curled)
        wait_for(lambda: prom.query('up{job="board"} == 1'), timeout=10)
        n = prom.query('count_over_time(up{job="board"}[5m])')
        self.assertTrue(float(n[0]['value'][1]) >= 10, n)
        self.assertEqual(float(prom.query('count(sensor_value)')[0]['value'][1]), SERIES)
        out, res = board.stop()
        no_leak(self, out, res)
        self.assertTrue(int(res['LONGEST_MS']) <= 500, out)
        counts = dict(kv.split('=') for kv in res['COUNTS'].split())
        self.assertNotIn('other', counts, out)
        self.assertTrue(int(counts['200']) >= 600, out)

    def non_readers(self, port):
        """8 clients that ask for the page and never read, with a default window (it holds
        the page: the co-processor's writes never wait)."""
        held = []
        for _ in range(8):
            s = socket.socket()
            s.settimeout(3)
            try:
                s.connect(('127.0.0.1', port))
                s.sendall(GET)
            except OSError:
                pass
            held.append(s)
        time.sleep(1)
        for s in held:
            s.close()

    def test_cpython(self):
        self.soak('cpython')

    def test_circuitpython_board(self):
        self.soak('circuitpython-board')


class Limits(unittest.TestCase):
    """Three scrapers at once (lwIP's accept queue holds them: one socket listens), and the
    co-processor's write to a client that never reads, with a tiny window."""

    def test_three_at_once(self):
        for runtime in ('cpython', 'circuitpython-board'):
            with self.subTest(runtime):
                board = started(self, runtime)
                for _ in range(5):
                    got = at_once(board.port)
                    self.assertEqual([whole(g) for g in got], [True] * 3,
                                     [g[:60] for g in got])
                out, res = board.stop()
                no_leak(self, out, res)

    def test_exporter_imported_first(self):
        # (the test scripts import the driver first, as the example does)
        board = Board('circuitpython-board', args=[SERIES, 'first'])
        self.addCleanup(board.kill)
        if not board.first.startswith('READY'):
            board.p.kill()
            self.fail(board.first + board.p.stdout.read())
        for _ in range(3):
            self.assertTrue(whole(scrape(board.port, 10)))
        out, res = board.stop()
        no_leak(self, out, res)

    def test_tiny_window_non_reader(self):
        # 2,000 series: a page (~75 KB) well beyond what the client's 1 KB window, the host's
        # send buffer and lwIP's hold
        board = started(self, 'cpython', 2000)
        self.assertTrue(whole(scrape(board.port), 2000))
        s = stalled_reader(board.port, 1024)
        t0 = time.time()
        try:
            # the board is held while nina-fw's write waits: a scrape meanwhile may time out,
            # the first after the write gave up is whole
            wait_for(lambda: whole(scrape(board.port, 3), 2000), timeout=30)
        finally:
            s.close()
        held = time.time() - t0
        out, res = board.stop()
        no_leak(self, out, res)
        counts = dict(kv.split('=') for kv in res['COUNTS'].split())
        self.assertEqual(counts.get('timeout'), '1', out)  # the non-reader, by name
        self.assertNotIn('other', counts, out)
        # once, for nina-fw's 10 tries of a second (with the driver's own 10 s patience)
        self.assertTrue(9000 <= int(res['LONGEST_MS']) <= 12000, out)
        self.assertTrue(held < 15, held)


class Example(unittest.TestCase):
    """examples/airlift_esp32spi.py as it is, scraped by a real Prometheus; then a push to a
    real Pushgateway and a remote write to that Prometheus through the co-processor's client
    sockets."""

    def test_airlift_example(self):
        def link(res, out):
            self.assertEqual(res.get('START'), '------', out)
            self.assertIn(res.get('END'), ('------', 'l-----'), out)
        for runtime in ('cpython', 'circuitpython-board'):
            with self.subTest(runtime):
                example_at_work(self, 'airlift', lambda port, gw, prom: Board(
                    runtime, script='airlift_example.py', args=[gw, prom],
                    extra=[os.path.join(ROOT, 'examples')], port=port), link)


if __name__ == '__main__':
    unittest.main()
