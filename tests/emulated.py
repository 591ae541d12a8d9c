"""What the tests of the emulated boards share (test_wiznet.py: the W5500 of
../shared/tools/w5500; test_esp32spi.py: the ESP32-SPI co-processor of tests/esp32spi): a board
script run in a subprocess and told what to do through a control file, the scrape, and the
hostile clients of their soaks."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from services import REQUIRED, Prometheus, Pushgateway, free_port, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
W5500 = os.path.join(TOOLS, 'w5500')
SERIES = 300
GET = b'GET /metrics HTTP/1.1\r\nHost: board\r\nConnection: close\r\n\r\n'
LAST = ['']  # how the last scrape ended, for a failure message


def present(path, what, ok=os.path.exists):
    """Skip (or, under .ci/run, fail) unless ok(path)."""
    if not ok(path):
        if REQUIRED:
            raise AssertionError('%s is missing (%s)' % (path, what))
        raise unittest.SkipTest('%s is missing: %s' % (path, what))


def whole(data, n=SERIES):
    """A 200 answer with every series of the page."""
    return data.startswith(b'HTTP/1.1 200') and data.count(b'sensor_value{') == n


def scrape(port, timeout=3.0):
    """One GET on a new connection: the answer's bytes (b'' if refused or reset)."""
    s = socket.socket()
    s.settimeout(timeout)
    data = b''
    LAST[0] = 'eof'
    try:
        s.connect(('127.0.0.1', port))
        s.sendall(GET)
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError as e:
        LAST[0] = repr(e)
    finally:
        s.close()
    if data and not whole(data):
        LAST[0] += ' after %d bytes: %r' % (len(data), data[:40])
    return data


def at_once(port, n=3, timeout=10):
    """n scrapes begun together: their answers."""
    got = [None] * n

    def one(i):
        got[i] = scrape(port, timeout)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return got


def silent(port):
    """8 clients that connect and send nothing, held for a second."""
    held = []
    for _ in range(8):
        s = socket.socket()
        s.settimeout(1)
        try:
            s.connect(('127.0.0.1', port))
        except OSError:
            pass
        held.append(s)
        time.sleep(0.02)
    time.sleep(1)
    for s in held:
        s.close()


def resets(port):
    """5 clients that read 500 bytes of the answer and reset the connection."""
    for _ in range(5):
        s = socket.socket()
        s.settimeout(3)
        try:
            s.connect(('127.0.0.1', port))
            s.sendall(GET)
            s.recv(500)
        except OSError:
            pass
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        s.close()


class BoardProcess:
    """A board script (tests/boards/SCRIPT) on 'cpython' or a board interpreter of
    ../shared/tools, with path (folders) on its module path, run as
    SCRIPT PORT CONTROL ARGS...; .first is the first line it printed ('READY...')."""

    def __init__(self, runtime, script, args, path, heap, port=None):
        self.dir = tempfile.mkdtemp(prefix='promexp-board-')
        self.control = os.path.join(self.dir, 'control')
        self.port = port or free_port()
        script = os.path.join(HERE, 'boards', script)
        if runtime == 'cpython':
            cmd = [sys.executable, script]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(
                [p for p in path if not p.endswith('circuitpython')]))
        else:
            tool = os.path.join(TOOLS, runtime)
            present(tool, 'the board interpreter', lambda p: os.access(p, os.X_OK))
            cmd = [tool, '-X', 'heapsize=' + heap, script]
            env = dict(os.environ, MICROPYPATH=':'.join(['.frozen'] + list(path)))
        self.p = subprocess.Popen(cmd + [str(self.port), self.control] + [str(a) for a in args],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        self.first = self.p.stdout.readline()

    def tell(self, cmd):
        with open(self.control + '.tmp', 'w') as f:
            f.write(cmd)
        os.replace(self.control + '.tmp', self.control)

    def stop(self):
        """'stop', then the KEY value lines it prints."""
        self.tell('stop')
        try:
            out, _ = self.p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        shutil.rmtree(self.dir, True)
        return out, dict(line.split(' ', 1) for line in out.splitlines() if ' ' in line)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.dir, True)


def example_at_work(test, job, start, check_link):
    """An example script for an emulated chip, as it is: start(port, pushgateway port,
    prometheus port) runs it; a real Prometheus scrapes it, then it pushes to a real
    Pushgateway (job `job`) and remote-writes to that Prometheus through the chip's client
    sockets; check_link(res, out) checks the link state it reported."""
    import urllib.request
    gw = Pushgateway()
    test.addCleanup(gw.stop)
    port = free_port()
    prom = Prometheus(targets=['127.0.0.1:%d' % port])
    test.addCleanup(prom.stop)
    board = start(port, gw.port, prom.port)
    try:
        test.assertTrue(board.first.startswith('READY'), board.first)
        wait_for(lambda: prom.query('prom_express_loops_total'), timeout=30)
        t = prom.query('prom_express_temperature{sensor="sht31"}')
        test.assertEqual(float(t[0]['value'][1]), 23.5)
        out, res = board.stop()
        test.assertEqual(res.get('PUSHED'), '1', out)
        test.assertTrue(int(res.get('SENT', 0)) > 0, out)
        check_link(res, out)
        page = urllib.request.urlopen(gw.url + '/metrics', timeout=5).read()
        test.assertIn(b'prom_express_temperature{instance="",job="%s",sensor="sht31"} 23.5'
                      % job.encode(), page)
        wait_for(lambda: prom.query('prom_express_temperature{job="%s"}' % job), timeout=20)
    finally:
        board.kill()
