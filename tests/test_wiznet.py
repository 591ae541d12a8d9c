"""The old library's own board: a Feather M4 with a WIZnet W5500, emulated by
../shared/tools/w5500 under the unmodified Adafruit driver (adafruit_wiznet5k 7.4.5), on
CPython and on circuitpython-board (224 KB heap: see HEAP). The exporter (tests/boards/wiznet_exporter.py) serves 300 series with
the defaults it derives from the chip (3 sockets listening, 4 connections).

The soak: 2,000 scrapes by curl (100 at a time, keep-alive) and a real Prometheus scraping
every second, between 20 bursts of wrk -c4, with, in turn, 8 silent clients, 8 clients that
stop reading, resets in the middle of answers and the cable pulled out and plugged in again.
After each burst and each of those, the next scrapes are whole. At the end: the chip's socket
table and the driver's reservations are as they were before the server (no socket leaked),
no poll(0.25) took longer than half a second, and every failure the server counted has a
name (none is `other`). Skipped with a message where ../shared/tools/w5500 is absent;
under .ci/run a missing tool fails."""
import os
import subprocess
import threading
import time
import unittest

from emulated import (LAST, ROOT, SERIES, W5500, BoardProcess, at_once, example_at_work, present,
                      resets, scrape, silent, whole)
from services import Prometheus, free_port, need, stalled_reader, wait_for

# The issue's board: 224 KB (a Feather M4's ~160 KB free plus the emulator's ~60 KB), with
# the driver imported before the exporter (wiznet_chip.py, the example): the other order
# fails there (the driver's compile finds no room once ours is loaded).
HEAP = '224k'


def emulator():
    present(os.path.join(W5500, 'w5500.py'), 'the W5500 emulator')


class Board(BoardProcess):
    """wiznet_exporter.py on a runtime ('cpython' or 'circuitpython-board')."""

    def __init__(self, runtime, script='wiznet_exporter.py', args=None, extra=(), heap=HEAP):
        emulator()
        if args is None:
            args = [free_port(), None, SERIES]
        BoardProcess.__init__(self, runtime, script, args[2:], [
            W5500, os.path.join(W5500, 'circuitpython'), os.path.join(W5500, 'lib'), ROOT] +
            list(extra), heap, args[0])


def on_each_runtime(test, check):
    """check(board) with the exporter started on CPython and on circuitpython-board (a
    subtest each; the board is killed after)."""
    for runtime in ('cpython', 'circuitpython-board'):
        with test.subTest(runtime):
            board = Board(runtime)
            try:
                test.assertTrue(board.first.startswith('READY'), board.first)
                check(board)
            finally:
                board.kill()


class Soak(unittest.TestCase):
    def soak(self, runtime):
        wrk = need('wrk')
        curl = need('curl')
        board = Board(runtime)
        self.addCleanup(board.kill)
        if not board.first.startswith('READY'):
            board.p.kill()
            self.fail(board.first + board.p.stdout.read())
        self.assertIn('listeners 3 max_connections 4', board.first)
        port = board.port
        url = 'http://127.0.0.1:%d/metrics' % port
        prom = Prometheus(targets=['127.0.0.1:%d' % port])
        self.addCleanup(prom.stop)
        curled = 0
        failed_after = []
        cut = []  # scrapes after a phase that failed once (see settled)

        def settled(what):
            """The scrapes after a burst or a hostile phase: once one is whole (within 2 s:
            the chip's sockets of the clients that went are freed as the server polls them;
            4 s after the cable is back: the board reads the control file every half
            second), the next three are whole, every one."""
            deadline = time.time() + (4 if what.startswith('cable') else 2)
            while not whole(scrape(port)):
                if time.time() > deadline:
                    failed_after.append((what, 'none within the time'))
                    return
                time.sleep(0.1)
            for i in range(3):
                if not whole(scrape(port)):
                    # On circuitpython-board scrapes were reset after bursts, and whole
                    # batches of curl's refused, in 3 of 4 runs: the driver found no heap
                    # for a register read, which closed the listeners (FullHeap below, fixed).
                    # None seen since; a scrape meeting a burst's tail is still allowed
                    # one more try, and a second failure fails.
                    cut.append((what, i, LAST[0]))
                    time.sleep(0.5)
                    if not whole(scrape(port)):
                        failed_after.append((what, i, LAST[0]))

        hostile = [self.silent, self.non_readers, self.resets, self.cable]
        for burst in range(20):
            subprocess.run([wrk, '-t1', '-c4', '-d0.5s', url], capture_output=True,
                           timeout=30)
            settled('burst %d' % burst)
            out = subprocess.run([curl, '-s', '--max-time', '5', '-o', '/dev/null', '-w',
                                  '%{http_code}\\n'] + [url] * 100, capture_output=True,
                                 text=True, timeout=120).stdout.split()
            curled += out.count('200')
            phase = hostile[burst % 4]
            phase(board, port)
            settled('%s after burst %d' % (phase.__name__, burst))
        self.assertEqual(failed_after, [])
        self.assertTrue(len(cut) <= 2, cut)  # of 120 scrapes after a phase
        # (a curl scrape may meet a burst's tail)
        # (1,999-2,000 on circuitpython-board in the runs since the driver's MemoryError
        # no longer closes the listeners; 1,730-1,796 in the runs that failed before)
        self.assertTrue(curled >= 1990, curled)
        # Prometheus saw the board up, and whole, on its last scrapes
        wait_for(lambda: prom.query('up{job="board"} == 1'), timeout=10)
        n = prom.query('count_over_time(up{job="board"}[5m])')
        self.assertTrue(float(n[0]['value'][1]) >= 10, n)
        self.assertEqual(float(prom.query('count(sensor_value)')[0]['value'][1]), SERIES)
        out, res = board.stop()
        self.assertEqual(res.get('END'), res.get('START'), out)  # no socket leaked
        self.assertTrue(res.get('LISTENING', '').startswith('RRR----'), out)
        self.assertTrue(int(res['LONGEST_MS']) <= 500, out)
        counts = dict(kv.split('=') for kv in res['COUNTS'].split())
        self.assertNotIn('other', counts, out)
        self.assertTrue(int(counts['200']) >= 2000, out)
        return counts

    # -- the hostile phases --------------------------------------------------------------
    def silent(self, board, port):
        """8 clients that connect and send nothing, held for a second."""
        silent(port)

    def non_readers(self, board, port):
        """8 clients that ask for the page and stop reading (a 1 KB receive buffer)."""
        held = []
        for _ in range(8):
            try:
                held.append(stalled_reader(port, 1024))
            except OSError:
                pass
        time.sleep(1)
        for s in held:
            s.close()

    def resets(self, board, port):
        """5 clients that read 500 bytes of the answer and reset the connection."""
        resets(port)

    def cable(self, board, port):
        """The Ethernet cable out for 1.5 s, then in again."""
        board.tell('link 0')
        time.sleep(1.5)
        board.tell('link 1')
        time.sleep(1.0)  # the listeners are bound again (back-off 0.25 s)

    def test_cpython(self):
        self.soak('cpython')

    def test_circuitpython_board(self):
        self.soak('circuitpython-board')


class Example(unittest.TestCase):
    """examples/feather_m4_wiznet5500.py as it is (it bound '0.0.0.0', which the driver
    refuses: the exporter binds without an address there), scraped by a real Prometheus;
    then a push to a real Pushgateway and a remote write to that Prometheus through the
    driver's CONNECT."""

    def test_feather_example(self):
        def link(res, out):
            self.assertEqual(res.get('END'), res.get('START'), out)
        for runtime in ('cpython', 'circuitpython-board'):
            with self.subTest(runtime):
                example_at_work(self, 'feather', lambda port, gw, prom: Board(
                    runtime, 'wiznet_example.py',  # (and push and remote write, and the
                    [port, None, gw, prom],  # emulator's buffers)
                    [os.path.join(ROOT, 'examples')], '288k'), link)


class FullHeap(unittest.TestCase):
    """The driver finds no heap for a chip register read while a client waits to be accepted
    (as a board's fragmented heap gives it none after a burst): the client waits in the chip
    and is served once there is heap again; the listeners stay. (Taken for another driver's
    socket, the failure used to close the listeners: new clients were refused until they
    were bound again, and the waiting one was reset.)"""

    def test_no_heap_for_the_driver_closes_no_listener(self):
        def check(board):
            wait_for(lambda: whole(scrape(board.port)), timeout=20)
            board.tell('heap 0')
            time.sleep(1)  # (the board reads the control file every half second)
            got = []
            t = threading.Thread(target=lambda: got.append(scrape(board.port, 10)))
            t.start()
            time.sleep(1.5)
            board.tell('heap 1')
            t.join()
            self.assertTrue(whole(got[0]), LAST[0])
            for _ in range(3):
                self.assertTrue(whole(scrape(board.port)), LAST[0])
            out, res = board.stop()
            counts = dict(kv.split('=') for kv in res['COUNTS'].split())
            self.assertNotIn('listener', counts, out)
            self.assertNotIn('other', counts, out)
            self.assertEqual(res.get('END'), res.get('START'), out)
        on_each_runtime(self, check)


class Sockets(unittest.TestCase):
    """The exporter starts on the driver's socketpool with select present (it used to need
    select hidden), and three scrapers at once are served."""

    def test_three_at_once(self):
        def check(board):
            # (the emulated chip opens its listeners on the host one by one in the polls
            # after READY: until the third is open, a third client is refused)
            wait_for(lambda: all(whole(g) for g in at_once(board.port)), timeout=20)
            for _ in range(5):
                got = at_once(board.port)
                self.assertEqual([whole(g) for g in got], [True] * 3, [g[:60] for g in got])
            out, res = board.stop()
            self.assertEqual(res.get('END'), res.get('START'), out)
        on_each_runtime(self, check)

if __name__ == '__main__':
    unittest.main()
