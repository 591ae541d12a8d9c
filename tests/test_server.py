"""The exporter on real sockets on 127.0.0.1 (CPython)."""
import gzip
import socket
import threading
import time
import unittest
import urllib.error
import urllib.request

from prometheus_client import parser as text_parser
from prometheus_client.openmetrics import parser as om_parser

import prometheus_express as pe
from prometheus_express.routing import Router, basic_auth, bearer_token
from prometheus_express.background import start_http_server
from prometheus_express.server import MetricsServer

from fakenet import parse_response
from services import free_port


class Live(unittest.TestCase):
    stream = None
    auth = None

    def setUp(self):
        self.r = pe.CollectorRegistry()
        g = pe.Gauge('temperature_celsius', 'Temperature.', ['sensor'], registry=self.r)
        g.labels('bme680').set(21.5)
        self.port = free_port()
        self.server, self.thread = start_http_server(self.port, '127.0.0.1', self.r,
                                                     timeout=0.5, stream=self.stream,
                                                     auth=self.auth)

    def tearDown(self):
        self.server.shutdown()
        self.thread.join(5)
        self.server.close()

    def url(self, path='/metrics'):
        return 'http://127.0.0.1:%d%s' % (self.port, path)

    def raw(self, data, sock=None, wait=0.3):
        s = sock or socket.create_connection(('127.0.0.1', self.port), timeout=3)
        s.sendall(data)
        out = b''
        deadline = time.time() + wait + 2
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            r = parse_response(out, data.startswith(b'HEAD'))
            if r and (r[1].get('transfer-encoding') != 'chunked' or out.endswith(b'0\r\n\r\n')) \
                    and len(r[2]) >= int(r[1].get('content-length', 0)):
                break
        if sock is None:
            s.close()
        return parse_response(out, data.startswith(b'HEAD'))


class Basics(Live):
    def test_scrape_parses_with_upstream_parser(self):
        with urllib.request.urlopen(self.url()) as resp:
            body = resp.read().decode()
            self.assertEqual(resp.headers['Content-Type'],
                             'text/plain; version=0.0.4; charset=utf-8')
        fams = {f.name: f for f in text_parser.text_string_to_metric_families(body)}
        self.assertEqual(fams['temperature_celsius'].samples[0].value, 21.5)

    def test_openmetrics_negotiation(self):
        req = urllib.request.Request(self.url(), headers={
            'Accept': 'application/openmetrics-text; version=1.0.0; charset=utf-8'})
        with urllib.request.urlopen(req) as resp:
            self.assertTrue(resp.headers['Content-Type'].startswith('application/openmetrics-text'))
            body = resp.read().decode()
        self.assertTrue(body.endswith('# EOF\n'))
        names = [f.name for f in om_parser.text_string_to_metric_families(body)]
        self.assertIn('temperature_celsius', names)

    def test_gzip(self):
        req = urllib.request.Request(self.url(), headers={'Accept-Encoding': 'gzip'})
        with urllib.request.urlopen(req) as resp:
            self.assertEqual(resp.headers['Content-Encoding'], 'gzip')
            body = gzip.decompress(resp.read()).decode()
        self.assertIn('temperature_celsius{sensor="bme680"} 21.5', body)

    def test_name_filter(self):
        pe.Counter('other', 'Other.', registry=self.r).inc()
        with urllib.request.urlopen(self.url('/metrics?name[]=other_total')) as resp:
            body = resp.read().decode()
        self.assertIn('other_total 1.0', body)
        self.assertNotIn('temperature', body)

    def test_status_codes_on_the_wire(self):
        cases = [(b'GET /nope HTTP/1.1\r\nHost: t\r\n\r\n', 404), (b'DELETE /metrics HTTP/1.1\r\nHost: t\r\n\r\n', 405),
                 (b'\x00\xff garbage\r\n\r\n', 400),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\nX: ' + b'a' * 9000 + b'\r\n\r\n', 431),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 999999\r\n\r\n', 413),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n', 200), (b'HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n', 200)]
        for data, status in cases:
            with self.subTest(status=status):
                r = self.raw(data)
                self.assertEqual(r[0], status)
        r = self.raw(b'GET /metr', wait=1.0)  # then silence: 408 after the timeout
        self.assertEqual(r[0], 408)

    def test_keep_alive_many_requests_one_connection(self):
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        for _ in range(50):
            r = self.raw(b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Other: x\r\n\r\n', sock=s)
            self.assertEqual(r[0], 200)
            self.assertEqual(r[1]['connection'], 'keep-alive')
        s.close()

    def test_partial_reads_byte_by_byte(self):
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Other: x\r\n\r\n':
            s.send(bytes([b]))
            time.sleep(0.002)
        r = self.raw(b'', sock=s)
        self.assertEqual(r[0], 200)
        s.close()

    def test_silent_client_does_not_block_a_scrape(self):
        silent = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        t = time.time()
        with urllib.request.urlopen(self.url()) as resp:
            self.assertEqual(resp.status, 200)
        self.assertLess(time.time() - t, 0.45)  # answered before the silent one's timeout
        silent.close()

    def test_100_connections_at_once(self):
        results = []

        def one():
            try:
                with urllib.request.urlopen(self.url(), timeout=10) as resp:
                    results.append((resp.status, b'21.5' in resp.read()))
            except Exception as e:  # noqa: BLE001 - recorded and asserted below
                results.append(('error', repr(e)))

        threads = [threading.Thread(target=one) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        self.assertEqual(results, [(200, True)] * 100)

    def test_client_resets_do_not_stop_the_server(self):
        for _ in range(20):
            s = socket.create_connection(('127.0.0.1', self.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            s.send(b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n')
            s.close()  # RST while the server answers
        with urllib.request.urlopen(self.url()) as resp:
            self.assertEqual(resp.status, 200)

    def test_rebinds_same_port_after_close(self):
        self.server.shutdown()
        self.thread.join(5)
        self.server.close()
        self.server, self.thread = start_http_server(self.port, '127.0.0.1', self.r)
        with urllib.request.urlopen(self.url()) as resp:
            self.assertEqual(resp.status, 200)

    def test_port_in_use_raises(self):
        with self.assertRaises(OSError):
            MetricsServer(self.port, '127.0.0.1', self.r)


class CommonRequest(Live):
    """The same request again and again (a scraper's), answered at once on CPython
    (cpython_serving.py): each answer whole and of the page as it is then, whatever comes
    between (a change, another request, a half or pipelined one, a client that reads late)."""
    GET = b'GET /metrics HTTP/1.1\r\nHost: t\r\nUser-Agent: scraper\r\n\r\n'

    def page(self, sock):
        r = self.raw(self.GET, sock=sock)
        self.assertEqual(r[0], 200)
        self.assertEqual(r[1]['connection'], 'keep-alive')
        self.assertEqual(int(r[1]['content-length']), len(r[2]))
        return r[2].decode()

    def value(self, body, name):
        fams = {f.name: f for f in text_parser.text_string_to_metric_families(body)}
        return {tuple(sorted(s.labels.items())): s.value for s in fams[name].samples
                if s.name == name + '_total' or s.name == name}

    def test_every_answer_is_the_page_as_it_is_then(self):
        g = pe.Gauge('level', 'Level.', ['tank'], registry=self.r)
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        for i in range(30):
            g.labels('a').set(i * 0.5)
            if i == 10:
                g.labels('b').set(-0.0)
            if i == 20:
                g.remove('b')
            body = self.page(s)
            want = {(('tank', 'a'),): i * 0.5}
            if 10 <= i < 20:
                want[(('tank', 'b'),)] = 0.0
                self.assertIn('level{tank="b"} -0.0\n', body)
            self.assertEqual(self.value(body, 'level'), want)
            # the exporter's own count: the answers before this one
            self.assertEqual(self.value(body, 'exporter_http_requests').get((('code', '200'),), 0), i)
        s.close()

    def test_other_requests_between(self):
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        self.page(s)
        om = self.raw(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAccept: application/openmetrics-text\r\n\r\n',
                      sock=s)
        self.assertTrue(om[1]['content-type'].startswith('application/openmetrics-text'))
        self.assertTrue(om[2].endswith(b'# EOF\n'))
        self.assertEqual(self.raw(b'GET /nope HTTP/1.1\r\nHost: t\r\n\r\n', sock=s)[0], 404)
        s.sendall(self.GET[:20])  # half of it, then the rest
        time.sleep(0.05)
        self.assertIn('temperature_celsius{sensor="bme680"} 21.5', self.page_rest(s, self.GET[20:]))
        s.sendall(self.GET + self.GET)  # two in one read: two answers
        out = b''
        deadline = time.time() + 3
        while out.count(b'# HELP exporter_http_errors_total') < 2 and time.time() < deadline:
            out += s.recv(65536)
        self.assertEqual(out.count(b'HTTP/1.1 200 OK'), 2)
        self.assertEqual(out.count(b'temperature_celsius{sensor="bme680"} 21.5\n'), 2)
        self.assertIn('temperature_celsius', self.page(s))
        s.close()

    def test_gzip_again_and_again(self):
        ask = b'GET /metrics HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n'
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        for i in range(5):
            r = self.raw(ask, sock=s)
            self.assertEqual((r[0], r[1]['content-encoding'], r[1]['vary']),
                             (200, 'gzip', 'Accept-Encoding'))
            self.assertEqual(int(r[1]['content-length']), len(r[2]))
            body = gzip.decompress(r[2]).decode()
            self.assertIn('temperature_celsius{sensor="bme680"} 21.5\n', body)
            if i:  # (the count of the answers before this one)
                self.assertIn('exporter_http_requests_total{code="200"} %d.0\n' % i, body)
        s.close()

    def test_the_same_bytes_on_the_general_path(self):
        # A body-less request whose bytes are the last one's reuses its parse (exchange.py,
        # every runtime; a query string takes the general path on CPython too): each answer
        # is still the one its own bytes ask for, whatever came between.
        ask = b'GET /metrics?x=1 HTTP/1.1\r\nHost: t\r\n\r\n'
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        for i, (data, status) in enumerate((
                (ask, 200), (ask, 200), (b'GET /nope HTTP/1.1\r\nHost: t\r\n\r\n', 404),
                (ask, 200), (b'GET /metrics?x=1 HTTP/1.1\r\n\r\n', 400))):
            r = self.raw(data, sock=s)
            self.assertEqual(r[0], status, i)
            if status == 200:
                self.assertIn(b'temperature_celsius{sensor="bme680"} 21.5\n', r[2])
        self.assertEqual(s.recv(10), b'')  # (no Host: 400, and the connection closes)
        s.close()
        s = socket.create_connection(('127.0.0.1', self.port), timeout=3)
        s.sendall(ask + ask)  # the same bytes twice in one read: both answered
        out = b''
        deadline = time.time() + 3
        while out.count(b'sensor="bme680"} 21.5') < 2 and time.time() < deadline:
            out += s.recv(65536)
        self.assertEqual(out.count(b'HTTP/1.1 200 OK'), 2)
        r = self.raw(b'GET /metrics?x=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
                     sock=s)
        self.assertEqual((r[0], r[1]['connection']), (200, 'close'))
        self.assertEqual(s.recv(10), b'')
        s.close()

    def page_rest(self, sock, rest):
        r = self.raw(rest, sock=sock)
        self.assertEqual(r[0], 200)
        return r[2].decode()

    def test_a_page_the_socket_takes_in_parts(self):
        g = pe.Gauge('many', 'Many series.', ['i'], registry=self.r)
        for i in range(5000):
            g.labels(str(i)).set(i)
        for ls in self.server._ls:  # (accepted sockets inherit it on Linux)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server's send is cut
        s.settimeout(3)
        s.connect(('127.0.0.1', self.port))
        for _ in range(3):
            s.sendall(self.GET)
            time.sleep(0.3)  # reads nothing for a while: the rest waits in the connection
            with urllib.request.urlopen(self.url()) as resp:  # others go on meanwhile
                self.assertEqual(resp.status, 200)
            body = self.page_rest(s, b'')
            self.assertEqual(body.count('\nmany{'), 5000)
            self.assertIn('many{i="4999"} 4999.0\n', body)
        s.close()


class Streamed(Basics):
    """The board's chunked streaming writer, on real sockets."""
    stream = True


class Auth(Live):
    auth = basic_auth('prom', 'pw')

    def test_basic(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(self.url())
        self.assertEqual(cm.exception.code, 401)
        self.assertEqual(cm.exception.headers['WWW-Authenticate'], 'Basic realm="metrics"')
        req = urllib.request.Request(self.url(), headers={'Authorization': 'Basic cHJvbTpwdw=='})
        with urllib.request.urlopen(req) as resp:
            self.assertEqual(resp.status, 200)

    def test_bearer_route(self):
        router = Router()
        router.add('/secret', lambda req: 'ok', auth=bearer_token('t0k'))
        port = free_port()
        srv, th = start_http_server(port, '127.0.0.1', self.r, router=router)
        try:
            url = 'http://127.0.0.1:%d/secret' % port
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(urllib.request.Request(
                    url, headers={'Authorization': 'Bearer nope'}))
            self.assertEqual(cm.exception.code, 401)
            with urllib.request.urlopen(urllib.request.Request(
                    url, headers={'Authorization': 'Bearer t0k'})) as resp:
                self.assertEqual(resp.read(), b'ok')
        finally:
            srv.shutdown()
            th.join(5)
            srv.close()


class Routes(Live):
    def test_a_response_of_yours_changed_between_answers(self):
        # A route that returns one Response object again, with other headers each time, gets
        # them every time on one keep-alive connection: only the page's Response, kept with a
        # request kept for its bytes, keeps its head (answer.py).
        from prometheus_express.http import Response
        resp = Response(b'ok')
        n = [0]

        def count(req):
            n[0] += 1
            resp.headers = [('X-Count', str(n[0]))]
            return resp
        router = Router()
        router.add('/count', count)
        port = free_port()
        srv, th = start_http_server(port, '127.0.0.1', self.r, router=router)
        try:
            s = socket.create_connection(('127.0.0.1', port), timeout=3)
            for i in (1, 2, 3):
                r = self.raw(b'GET /count HTTP/1.1\r\nHost: t\r\n\r\n', sock=s)
                self.assertEqual((r[0], r[1].get('x-count'), r[2]), (200, str(i), b'ok'))
            s.close()
        finally:
            srv.shutdown()
            th.join(5)
            srv.close()


if __name__ == '__main__':
    unittest.main()
