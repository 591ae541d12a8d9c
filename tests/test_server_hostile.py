"""The exporter under a hostile network, on real sockets (CPython here; the board
interpreters in test_boards_hostile.py): stalled readers, slowloris, oversized heads,
and the HTTP details of RFC 9110/9112."""
import gzip
import socket
import threading
import time
import unittest
import urllib.request

from fakenet import parse_response
import prometheus_express as pe
from prometheus_express.background import start_http_server
from prometheus_express.server import MetricsServer
from services import free_port, stalled_reader


def request(port, data, timeout=5, host='127.0.0.1', family=socket.AF_INET):
    """Send data, read until the server closes or the answer is whole; (status, headers,
    body) or None. A reset while reading raises ConnectionResetError."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    s.sendall(data)
    out = b''
    head_only = data.startswith(b'HEAD')
    try:
        while True:
            r = parse_response(out, head_only)
            if r is not None and not (r[1].get('connection') == 'close' and not head_only
                                      and 'content-length' not in r[1]
                                      and 'transfer-encoding' not in r[1]):
                return r[:3]
            chunk = s.recv(65536)
            if not chunk:
                r = parse_response(out, head_only)
                return r and r[:3]
            out += chunk
    finally:
        s.close()


class Server(unittest.TestCase):
    def setUp(self):
        self.r = pe.CollectorRegistry()
        pe.Gauge('temperature_celsius', 'Temperature.', ['sensor'],
                 registry=self.r).labels('bme680').set(21.5)
        self.server, self.thread = start_http_server(0, '127.0.0.1', self.r, timeout=1.0)
        self.port = self.server.port

    def tearDown(self):
        self.server.shutdown()
        self.thread.join(5)
        self.server.close()

    def get(self, path='/metrics', extra=b''):
        return request(self.port, b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: t\r\n'
                       b'Connection: close\r\n' + extra + b'\r\n')


class HTTPDetails(Server):
    def test_http11_without_host_is_400(self):
        self.assertEqual(request(self.port, b'GET /metrics HTTP/1.1\r\n\r\n')[0], 400)
        self.assertEqual(request(self.port, b'GET /metrics HTTP/1.0\r\n\r\n')[0], 200)

    def test_absolute_form_target(self):
        r = request(self.port, b'GET http://board.local:8080/metrics?x=1 HTTP/1.1\r\n'
                    b'Host: board.local:8080\r\nConnection: close\r\n\r\n')
        self.assertEqual(r[0], 200)
        self.assertIn(b'temperature_celsius{sensor="bme680"} 21.5', r[2])

    def test_content_length_must_be_digits(self):
        for cl in (b'1_0', b'+3', b'\xd9\xa3', b' ', b'-1', b'0x10'):
            with self.subTest(cl=cl):
                r = request(self.port, b'GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: '
                            + cl + b'\r\n\r\n')
                self.assertEqual(r[0], 400)

    def test_percent_encoding_that_is_not_utf8_is_400(self):
        for target in (b'/metrics?name[]=%ff', b'/metr%C3ics', b'/metrics?%e2%82=1'):
            with self.subTest(target=target):
                r = request(self.port, b'GET ' + target + b' HTTP/1.1\r\nHost: t\r\n\r\n')
                self.assertEqual(r[0], 400)
                self.assertEqual(r[2], b'Bad percent-encoding\n')
        r = request(self.port, b'GET /metrics?name[]=temperature%5Fcelsius HTTP/1.1\r\n'
                    b'Host: t\r\n\r\n')  # a good one still serves
        self.assertEqual(r[0], 200)

    def test_control_characters_in_a_header_value(self):
        for bad in (b'a\x00b', b'a\x01', b'\x7f'):
            r = request(self.port, b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-A: ' + bad +
                        b'\r\n\r\n')
            self.assertEqual(r[0], 400, bad)

    def test_latin1_byte_in_a_header_is_served(self):
        r = self.get(extra=b'User-Agent: caf\xe9\r\n')
        self.assertEqual(r[0], 200)

    def test_later_http1_minor_versions_are_served_as_1_1(self):
        r = request(self.port, b'GET /metrics HTTP/1.2\r\nHost: t\r\nConnection: close\r\n\r\n')
        self.assertEqual(r[0], 200)
        self.assertEqual(request(self.port, b'GET /metrics HTTP/2.0\r\nHost: t\r\n\r\n')[0], 505)

    def test_gzip_negotiation(self):
        for ae, gz in ((b'gzip', True), (b'GZIP', True), (b'gzip;q=0', False),
                       (b'deflate, gzip;q=0.5', True), (b'identity', False),
                       (b'gzip;q=0, identity', False), (b'*', True)):
            with self.subTest(ae=ae):
                r = self.get(extra=b'Accept-Encoding: ' + ae + b'\r\n')
                self.assertEqual(r[0], 200)
                self.assertEqual(r[1].get('content-encoding') == 'gzip', gz, r[1])
                body = gzip.decompress(r[2]) if gz else r[2]
                self.assertIn(b'temperature_celsius{sensor="bme680"} 21.5', body)

    def test_head_has_the_get_headers(self):
        for ae in (b'', b'Accept-Encoding: gzip\r\n'):
            get = self.get(extra=ae)[1]
            head = request(self.port, b'HEAD /metrics HTTP/1.1\r\nHost: t\r\n'
                           b'Connection: close\r\n' + ae + b'\r\n')
            self.assertEqual(head[0], 200)
            self.assertEqual(head[2], b'')
            self.assertEqual(head[1].get('content-encoding'), get.get('content-encoding'))
            self.assertEqual(head[1]['content-type'], get['content-type'])

    def test_options(self):
        r = request(self.port, b'OPTIONS /metrics HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(r[0], 204)
        self.assertEqual(r[1]['allow'], 'GET, HEAD, OPTIONS')
        self.assertEqual(request(self.port, b'PUT /metrics HTTP/1.1\r\nHost: t\r\n'
                                 b'Content-Length: 0\r\n\r\n')[0], 405)

    def test_metrics_on_root_too(self):
        r = self.get('/')
        self.assertEqual(r[0], 200)
        self.assertIn(b'temperature_celsius', r[2])
        self.assertEqual(self.get('/favicon.ico')[0], 404)

    def test_oversized_head_gets_its_431_not_a_reset(self):
        data = b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: ' + b'a' * 16384 + b'\r\n\r\n'
        r = request(self.port, data)  # a reset here would raise ConnectionResetError
        self.assertEqual(r[0], 431)

    def test_empty_name_filter_is_the_whole_page(self):
        r = self.get('/metrics?name[]=')
        self.assertIn(b'temperature_celsius{sensor="bme680"}', r[2])


class Addresses(unittest.TestCase):
    def test_ipv6(self):
        r = pe.CollectorRegistry()
        pe.Gauge('g', 'd', registry=r).set(3)
        try:
            server, thread = start_http_server(0, '::1', r)
        except OSError as e:  # a machine without IPv6 on loopback
            self.skipTest('no IPv6 loopback: %s' % e)
        try:
            resp = request(server.port, b'GET /metrics HTTP/1.1\r\nHost: [::1]\r\n'
                           b'Connection: close\r\n\r\n', host='::1', family=socket.AF_INET6)
            self.assertEqual(resp[0], 200)
            self.assertIn(b'g 3.0', resp[2])
        finally:
            server.shutdown()
            thread.join(5)
            server.close()

    def test_push_to_ipv6(self):
        import http.server
        got = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                n = self.headers.get('Content-Length')
                body = self.rfile.read(int(n)) if n else b''
                if self.headers.get('Transfer-Encoding') == 'chunked':
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        body += self.rfile.read(size)
                        self.rfile.readline()
                        if not size:
                            break
                got.append((self.path, self.headers['Host'], body))
                self.send_response(200)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *a):
                pass

        class Server6(http.server.HTTPServer):
            address_family = socket.AF_INET6
        try:
            httpd = Server6(('::1', 0), Handler)
        except OSError as e:
            self.skipTest('no IPv6 loopback: %s' % e)
        port = httpd.server_address[1]
        t = threading.Thread(target=httpd.handle_request)
        t.start()
        r = pe.CollectorRegistry()
        pe.Gauge('g', 'd', registry=r).set(3)
        pe.push_to_gateway('[::1]:%d' % port, 'job6', r)
        t.join(5)
        httpd.server_close()
        self.assertEqual(got[0][0], '/metrics/job/job6')
        self.assertEqual(got[0][1], '[::1]:%d' % port)
        self.assertIn(b'g 3.0', got[0][2])

    def test_push_scheme_errors_name_the_scheme(self):
        with self.assertRaises(ValueError) as e:
            pe.push_to_gateway('ftp://127.0.0.1:21', 'j', pe.CollectorRegistry())
        self.assertIn('ftp', str(e.exception))

    def test_a_gateway_that_does_not_speak_http(self):
        ls = socket.socket()
        ls.bind(('127.0.0.1', 0))
        ls.listen(1)
        port = ls.getsockname()[1]

        def serve():
            c, _ = ls.accept()
            c.recv(65536)
            c.sendall(b'SSH-2.0-OpenSSH_9.2\r\n\r\n')
            c.close()
        t = threading.Thread(target=serve)
        t.start()
        try:
            with self.assertRaises(OSError) as e:
                pe.push_to_gateway('127.0.0.1:%d' % port, 'j', pe.CollectorRegistry(),
                                   timeout=5)
            self.assertIn('not an HTTP answer', str(e.exception))
        finally:
            t.join(5)
            ls.close()

    def test_bad_ports_raise_as_upstream(self):
        for port in (99999, -1, 65536):
            with self.subTest(port=port):
                self.assertRaises(OverflowError, MetricsServer, port, '127.0.0.1',
                                  pe.CollectorRegistry())

    def test_self_metrics_where_the_user_says(self):
        mine = pe.CollectorRegistry()
        pe.Counter('exporter_http_requests', 'Mine.', registry=mine)  # a name of its own
        elsewhere = pe.CollectorRegistry()
        s = MetricsServer(0, '127.0.0.1', mine, self_metrics=elsewhere)
        try:
            s._count(200)
            self.assertEqual(elsewhere.get_sample_value('exporter_http_requests_total',
                                                        {'code': '200'}), 1.0)
            self.assertEqual(mine.get_sample_value('exporter_http_requests_total'), 0.0)
        finally:
            s.close()


def big_registry(series):
    r = pe.CollectorRegistry()
    g = pe.Gauge('big_page_value', 'A big page: about 60 bytes a series.', ['i'], registry=r)
    for i in range(series):
        g.labels('series-%06d' % i).set(i + 0.5)
    return r


class StalledReaders(unittest.TestCase):
    """Three clients ask for a 2.4 MB page and never read it: a normal scrape is answered
    in under a second and every poll(0.05) returns in under 0.25 s."""

    def test_stalled_readers_delay_nothing(self):
        r = big_registry(40000)
        server = MetricsServer(0, '127.0.0.1', r, timeout=5.0)
        stalled = []
        try:
            for _ in range(3):
                stalled.append(stalled_reader(server.port, 4096))
            for _ in range(40):  # they fill their sockets and stall
                server.poll(0.05)
            got = {}

            def scrape():
                t0 = time.time()
                with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % server.port,
                                            timeout=10) as resp:
                    body = resp.read()
                got['t'] = time.time() - t0
                got['n'] = body.count(b'\nbig_page_value{')
            t = threading.Thread(target=scrape)
            t.start()
            worst = 0
            while t.is_alive():
                t0 = time.time()
                server.poll(0.05)
                worst = max(worst, time.time() - t0)
            t.join()
            self.assertEqual(got['n'], 40000)  # after the TYPE line, each follows a \n
            self.assertLess(got['t'], 1.0)
            self.assertLess(worst, 0.25)
        finally:
            for s in stalled:
                s.close()
            server.close()


class Slowloris(unittest.TestCase):
    def test_140_slow_requests_never_make_a_scrape_503(self):
        r = pe.CollectorRegistry()
        pe.Gauge('g', 'd', registry=r).set(1)
        server, thread = start_http_server(0, '127.0.0.1', r, timeout=5.0)
        slow = []
        try:
            for i in range(140):
                s = socket.create_connection(('127.0.0.1', server.port), timeout=5)
                s.sendall(b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ')
                slow.append(s)
            time.sleep(0.3)
            for _ in range(6):
                resp = request(server.port, b'GET /metrics HTTP/1.1\r\nHost: t\r\n'
                               b'Connection: close\r\n\r\n')
                self.assertEqual(resp[0], 200)
                for s in slow[:5]:  # and they keep trickling
                    try:
                        s.sendall(b'a')
                    except OSError:
                        pass
            self.assertGreater(server.counts.get('evicted', 0), 0)
        finally:
            for s in slow:
                s.close()
            server.shutdown()
            thread.join(5)
            server.close()

    def test_a_silent_request_times_out_as_a_whole(self):
        """The budget is for the whole request, not per read: a byte every 0.2 s gets a 408
        after `timeout` seconds."""
        r = pe.CollectorRegistry()
        server, thread = start_http_server(0, '127.0.0.1', r, timeout=1.0)
        try:
            s = socket.create_connection(('127.0.0.1', server.port), timeout=5)
            t0 = time.time()
            out = b''
            try:
                for b in b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-A: ' + b'a' * 30:
                    s.sendall(bytes([b]))
                    time.sleep(0.2)
            except OSError:
                pass
            s.settimeout(3)
            try:
                while True:
                    d = s.recv(4096)
                    if not d:
                        break
                    out += d
            except OSError:
                pass
            self.assertTrue(out.startswith(b'HTTP/1.1 408'), out[:40])
            self.assertLess(time.time() - t0, 5)
        finally:
            s.close()
            server.shutdown()
            thread.join(5)
            server.close()


class Timeouts(unittest.TestCase):
    def test_timeout_errors_count_as_timeout(self):
        from prometheus_express._sockets import err_kind
        self.assertEqual(err_kind(TimeoutError()), 'timeout')
        self.assertEqual(err_kind(socket.timeout()), 'timeout')


if __name__ == '__main__':
    unittest.main()
