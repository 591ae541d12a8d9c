# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""The server over an in-memory network: every socket failure a board sees, injected."""
import errno
import time
import unittest

from fakenet import FakeNet, parse_response
from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.routing import Router, basic_auth
from prometheus_express.server import MetricsServer

CPYTHON = __import__('sys').implementation.name == 'cpython'
GET = b'GET /metrics HTTP/1.1\r\nHost: board\r\n\r\n'
ERRNOS = (3, 4, 7, 112, getattr(errno, 'ENOTCONN', 107), 128, getattr(errno, 'ECONNRESET', 104),
          getattr(errno, 'ETIMEDOUT', 110))
OOM_BODY = b'out of memory: free heap on the board, or fewer series\n'
FATAL_AT_ACCEPT = ERRNOS[:-1]  # ETIMEDOUT at accept just means "nobody came"


class Base(unittest.TestCase):
    chunk = None

    def setUp(self):
        self.net = FakeNet()
        self.r = CollectorRegistry()
        g = Gauge('temperature_celsius', 'Temperature.', ['sensor'], registry=self.r)
        g.labels('bme680').set(21.5)
        self.server = MetricsServer(8080, '0.0.0.0', self.r, net=self.net, timeout=0.3,
                                    max_connections=4, chunk=self.chunk)

    def tearDown(self):
        self.server.close()

    def spin(self, n=12):
        for _ in range(n):
            self.server.poll(0)

    def ask(self, data=GET, send_max=None):
        c = self.net.client(data, send_max)
        self.spin()
        return c, parse_response(c.out, data.startswith(b'HEAD'))

    def errors(self, kind):
        return self.server.counts.get(kind, 0)

    def assert_scrape_works(self):
        c, resp = self.ask()
        self.assertEqual(resp[0], 200)
        self.assertTrue(b'temperature_celsius{sensor="bme680"} 21.5\n' in resp[2])


class Serving(Base):
    def test_get_and_keep_alive(self):
        c, resp = self.ask()
        self.assertEqual(resp[0], 200)
        self.assertEqual(resp[1]['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
        self.assertFalse(c.closed)
        c.feed(b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics?x=1 HTTP/1.1\r\nHost: t\r\n\r\n')  # pipelined
        c.out = bytearray()
        self.spin()
        first = parse_response(c.out)
        second = parse_response(first[3])
        self.assertEqual((first[0], second[0]), (200, 200))
        self.assertEqual(self.server.counts[200], 3)

    def test_head_and_close(self):
        c, resp = self.ask(b'HEAD /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
        self.assertEqual(resp[0], 200)
        self.assertEqual(resp[2], b'')
        self.assertTrue(int(resp[1].get('content-length', '1')) > 0 or
                        resp[1].get('transfer-encoding') == 'chunked')
        self.assertTrue(c.closed)

    def test_http10_closes(self):
        c, resp = self.ask(b'GET /metrics HTTP/1.0\r\n\r\n')
        self.assertEqual(resp[0], 200)
        self.assertTrue(b'21.5' in resp[2])
        self.assertTrue(c.closed)

    def test_status_codes(self):
        cases = [(b'GET /nope HTTP/1.1\r\nHost: t\r\n\r\n', 404),
                 (b'POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n', 405),
                 (b'garbage\r\n\r\n', 400),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\nbad header\r\n\r\n', 400),
                 (b'GET /metrics HTTP/2.0\r\n\r\n', 505),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\nX: ' + b'a' * 9000 + b'\r\n\r\n', 431),
                 (b'GET /' + b'a' * 9000 + b' HTTP/1.1\r\nHost: t\r\n\r\n', 414),
                 (b'GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n', 413)]
        for req, status in cases:
            c, resp = self.ask(req)
            self.assertEqual(resp[0], status)
            if status == 405:
                self.assertEqual(resp[1]['allow'], 'GET, HEAD, OPTIONS')
        self.assert_scrape_works()

    def test_timeout_408_and_silent_client_does_not_block_others(self):
        silent = self.net.client(b'')
        partial = self.net.client(b'GET /metr')
        self.spin()
        self.assert_scrape_works()  # while two clients hold connections
        time.sleep(0.4)
        self.spin()
        self.assertEqual(parse_response(partial.out)[0], 408)
        self.assertTrue(silent.closed)
        self.assertFalse(partial.closed)  # lingering: reading what the client still sends
        partial.feed(b'ics HTTP/1.1\r\n\r\n')
        partial.peer_closed = True
        self.spin()
        self.assertTrue(partial.closed)
        self.assertEqual(silent.out, bytearray())

    def test_full_of_answers_gets_503(self):
        held = [self.net.client(GET, send_max=0) for _ in range(4)]  # they never read
        self.spin()
        c, resp = self.ask()
        self.assertEqual(resp[0], 503)
        self.assertTrue(c.closed)
        for h in held:
            h.send_max = None
        self.spin()
        self.assert_scrape_works()

    def test_stalled_readers_do_not_delay_a_scrape(self):
        g = Gauge('many', 'Many series.', ['i'], registry=self.r)
        for i in range(300):
            g.labels(str(i)).set(i)
        stalled = [self.net.client(GET, send_max=0) for _ in range(3)]  # they never read
        self.spin()
        from prometheus_express._clock import elapsed, ticks
        t0 = ticks()
        c, resp = self.ask()
        if resp is None:  # boards: 2 answer buffers, held by stalled readers for 0.5 s
            time.sleep(0.6)
            self.spin()
            resp = parse_response(c.out)
        self.assertTrue(elapsed(t0) < 1.0)
        self.assertEqual(resp[0], 200)
        self.assertEqual(resp[2].count(b'\nmany{'), 300)
        for s in stalled:
            self.assertEqual(s.out, bytearray())

    def test_full_of_waiting_clients_evicts_the_oldest(self):
        silent = [self.net.client(b'') for _ in range(2)]
        self.spin()
        partial = [self.net.client(b'GET /met') for _ in range(2)]
        self.spin()
        self.assert_scrape_works()
        self.assertTrue(silent[0].closed)
        self.assertFalse(partial[1].closed)

    def test_short_writes_of_one_byte(self):
        c, resp = self.ask(send_max=1)
        self.assertEqual(resp[0], 200)
        self.assertTrue(b'temperature_celsius{sensor="bme680"} 21.5\n' in resp[2])

    def test_trickled_request(self):
        c = self.net.client(b'')
        for b in GET:
            c.feed(bytes([b]))
            self.server.poll(0)
        resp = parse_response(c.out)
        self.assertEqual(resp[0], 200)


class Failures(Base):
    def test_accept_errors_rebind_the_listener(self):
        for code in FATAL_AT_ACCEPT:
            before = self.net.listens
            self.net.listener.accept_errors.append(code)
            self.spin(1)
            deadline = time.time() + 3
            while self.net.listens == before and time.time() < deadline:
                self.server.poll(0.01)
            self.assertEqual(self.net.listens, before + 1, 'errno %d' % code)
            self.assert_scrape_works()
        self.assertEqual(self.errors('listener'), len(FATAL_AT_ACCEPT))

    def test_eagain_and_timeout_at_accept_are_not_errors(self):
        self.net.listener.accept_errors.extend([errno.EAGAIN, getattr(errno, 'ETIMEDOUT', 110)])
        self.spin()
        self.assertEqual(self.net.listens, 1)
        self.assert_scrape_works()

    def test_rebind_failures_back_off_and_recover(self):
        self.net.bind_errors = [112, 98]
        self.net.listener.accept_errors.append(4)
        deadline = time.time() + 5
        while self.net.listens < 2 and time.time() < deadline:
            self.server.poll(0.01)
        self.assertEqual(self.net.listens, 2)
        self.assertEqual(self.errors('bind'), 2)
        self.assert_scrape_works()

    def test_recv_errors_drop_only_that_client(self):
        for code in ERRNOS:
            bad = self.net.client(b'')
            bad.recv_errors.append(code)
            self.spin()
            self.assertTrue(bad.closed)
            self.assert_scrape_works()

    def test_send_errors_drop_only_that_client(self):
        for code in ERRNOS:
            bad = self.net.client(GET)
            bad.send_errors.append(code)
            self.spin()
            self.assertTrue(bad.closed)
            self.assert_scrape_works()

    def test_peer_close_mid_request(self):
        c = self.net.client(b'GET /met')
        c.peer_closed = True
        self.spin()
        self.assertTrue(c.closed)
        self.assert_scrape_works()

    def test_collector_failure_gives_500_and_server_lives(self):
        class Broken:
            def collect(self):
                raise RuntimeError('sensor bus hung')
        self.r.register(Broken())
        c, resp = self.ask()
        self.assertEqual(resp[0], 500)
        self.r.unregister(self.r.collectors()[-1])
        self.assert_scrape_works()

    def test_no_heap_for_the_page_gets_the_premade_503(self):
        """A page that can't be made for want of heap: a 503 with a one-line reason from an
        answer made with the server (it was an empty reply), counted as memory; the next
        scrape is whole once the heap is back."""
        class Full:
            def collect(self):
                raise MemoryError('memory allocation failed, allocating 1024 bytes')
        full = Full()
        self.r.register(full)
        c, resp = self.ask()
        self.assertEqual(resp[0], 503)
        self.assertEqual(resp[2], b'out of memory: free heap on the board, or fewer series\n')
        self.assertEqual(resp[1]['retry-after'], '5')
        self.assertTrue(c.closed)
        self.assertEqual((self.errors('memory'), self.errors(503)), (1, 1))
        self.r.unregister(full)
        self.assert_scrape_works()
        self.assert_scrape_works()

    def test_no_heap_to_load_the_error_answers_gets_the_premade_503(self):
        """The error answers (http_errors.py) load at the first one: where a full heap has no
        room to load them, a bad request, a request out of time, a refused path and a
        collector's failure each get the pre-made 503, never silence; then the page is
        served whole."""
        import sys
        key = 'prometheus_express.http_errors'

        class NoHeap:  # stands for the module: loading anything from it fails for want of heap
            def __getattr__(self, name):
                raise MemoryError('memory allocation failed, allocating 2048 bytes')
        real = sys.modules.get(key)

        class Broken:
            def collect(self):
                raise RuntimeError('sensor bus hung')
        sys.modules[key] = NoHeap()
        try:
            for req in (b'NOT HTTP\r\n\r\n', b'GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n'):
                c, resp = self.ask(req)
                self.assertEqual((resp[0], resp[2]), (503, OOM_BODY), req)
                self.assertTrue(c.closed)
            slow = self.net.client(b'GET /metrics HTTP/1.1\r\n')  # never ends its request
            self.spin()
            time.sleep(0.4)
            self.spin()
            resp = parse_response(slow.out)
            self.assertEqual((resp[0], resp[2]), (503, OOM_BODY))
            self.r.register(Broken())
            c, resp = self.ask()
            self.assertEqual((resp[0], resp[2]), (503, OOM_BODY))
            self.r.unregister(self.r.collectors()[-1])
        finally:
            if real is None:
                del sys.modules[key]
            else:
                sys.modules[key] = real
        self.assertEqual(self.errors('memory'), 4)
        self.assertEqual(self.errors('other'), 0)
        self.assert_scrape_works()
        c, resp = self.ask(b'GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n')  # loads now
        self.assertEqual(resp[0], 404)

    def test_no_heap_for_an_error_answer_gets_the_premade_503(self):
        """A 400 (a bad request) or the 503 of a full table that cannot be made for want of
        heap: the pre-made 503 goes instead, never silence."""
        import prometheus_express.http_errors as http_errors
        real = http_errors.error_bytes

        def no_heap(*a):
            raise MemoryError('memory allocation failed, allocating 128 bytes')
        http_errors.error_bytes = no_heap
        try:
            c, resp = self.ask(b'NOT HTTP\r\n\r\n')
            self.assertEqual(resp[0], 503)
            self.assertEqual(resp[2], b'out of memory: free heap on the board, or fewer series\n')
            held = [self.net.client(GET, send_max=0) for _ in range(4)]  # they never read
            self.spin()
            c, resp = self.ask()
            self.assertEqual(resp[0], 503)
            self.assertEqual(resp[1]['retry-after'], '5')
            for h in held:
                h.send_max = None
        finally:
            http_errors.error_bytes = real
        self.spin()
        self.assertEqual(self.errors('other'), 0)
        self.assert_scrape_works()

    def test_no_heap_in_poll_itself_stops_nothing(self):
        """The poller's answer and the timeout check allocate: with no heap for them, poll()
        returns as if nothing happened (a sensor loop calling it goes on) and the next poll
        serves."""
        poller = self.server._poller
        real_poll = poller.poll
        real_expire = self.server._expire
        fails = [2, 2]  # poller.poll, _expire

        def no_heap(i):
            if fails[i]:
                fails[i] -= 1
                raise MemoryError('memory allocation failed, allocating 64 bytes')
        poller.poll = lambda ms: no_heap(0) or real_poll(ms)
        self.server._expire = lambda: no_heap(1) or real_expire()
        c = self.net.client(GET)
        self.server.poll(0)
        self.server.poll(0)
        self.assertEqual(c.out, bytearray())
        self.spin()
        self.assertEqual(parse_response(c.out)[0], 200)
        self.assert_scrape_works()


class Streamed(Failures):
    """The same failures with small buffers: pages go out in several chunks."""
    chunk = 1024

    def test_large_page_is_chunked_and_complete(self):
        g = Gauge('many', 'Many series.', ['i'], registry=self.r)
        for i in range(300):
            g.labels(str(i)).set(i)
        c, resp = self.ask(send_max=700)
        self.assertEqual(resp[0], 200)
        if CPYTHON:  # a Gauge's kept text is one piece there (cpython_rows): it has a length
            self.assertEqual(int(resp[1]['content-length']), len(resp[2]))
        else:
            self.assertEqual(resp[1]['transfer-encoding'], 'chunked')
        self.assertTrue(b'many{i="299"} 299.0\n' in resp[2])
        self.assertEqual(resp[2].count(b'\nmany{'), 300)


def gunzip(data):
    try:
        import zlib
        return zlib.decompress(data, 31)
    except ImportError:  # MicroPython
        import deflate
        import io
        return deflate.DeflateIO(io.BytesIO(data), deflate.GZIP).read()


class Gzip(Base):
    chunk = 1024  # compressed chunk by chunk

    def test_gzip_when_asked(self):
        from prometheus_express._format import GZIP
        g = Gauge('many', 'Many series.', ['i'], registry=self.r)
        for i in range(200):
            g.labels(str(i)).set(i)
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate\r\n\r\n')
        self.assertEqual(resp[0], 200)
        if not GZIP:  # board firmware: deflate can only decompress; identity it is
            self.assertFalse('content-encoding' in resp[1])
            self.assertTrue(b'many{i="199"} 199.0\n' in resp[2])
            return
        self.assertEqual(resp[1]['content-encoding'], 'gzip')
        page = gunzip(resp[2])
        self.assertTrue(len(resp[2]) < len(page) * 0.6, (len(resp[2]), len(page)))
        self.assertTrue(b'many{i="199"} 199.0\n' in page)
        plain = self.ask()[1][2]
        self.assertEqual(page.split(b'exporter_http')[0], plain.split(b'exporter_http')[0])


class RecvIntoOnly:
    """A CircuitPython socketpool socket: recv_into and no recv."""

    def __init__(self, inner):
        self.inner = inner

    def recv_into(self, buf):
        data = self.inner.recv(len(buf))
        buf[:len(data)] = data
        return len(data)

    def __getattr__(self, name):
        if name == 'recv':
            raise AttributeError(name)
        return getattr(self.inner, name)


class CircuitPythonSockets(Base):
    def test_scrape_through_recv_into(self):
        c = self.net.client(GET)
        self.net.listener.pending[-1] = RecvIntoOnly(c)
        self.spin()
        resp = parse_response(c.out)
        self.assertEqual(resp[0], 200)
        self.assertTrue(b'temperature_celsius{sensor="bme680"} 21.5\n' in resp[2])


class NothingLoads(Base):
    """A board whose heap has no room to compile what a page needs (everything the exporter
    itself needs is loaded with it; here: familytext, the writer of a custom collector's
    families, made unimportable): a clean 500 when nothing of the page went out yet, its
    buffer goes back, the next scrape is whole once the module can load."""

    def setUp(self):
        super().setUp()
        self.server.close()
        self.server = MetricsServer(8080, '0.0.0.0', self.r, net=self.net, timeout=0.3,
                                    answers=1)

    def test_clean_500_and_buffer_given_back(self):
        import sys
        from prometheus_express.families import GaugeMetricFamily

        class Custom:
            def collect(self):
                yield GaugeMetricFamily('custom_value', 'A custom collector.', value=2.0)
        self.r.register(Custom())
        name = 'prometheus_express.familytext'
        real = sys.modules.get(name)
        sys.modules[name] = Base  # anything without the names asked for: the import fails
        try:
            c, resp = self.ask()
        finally:
            if real is None:
                del sys.modules[name]
            else:
                sys.modules[name] = real
        self.assertEqual(resp[0], 500)
        self.assertEqual(self.errors('render'), 1)
        for _ in range(2):  # its one answer buffer came back; the page is whole again
            self.assert_scrape_works()
            self.assertIn(b'custom_value 2.0\n', self.ask()[1][2])


class Routing(Base):
    def setUp(self):
        self.net = FakeNet()
        self.r = CollectorRegistry()
        Gauge('temperature_celsius', 'T.', ['sensor'], registry=self.r).labels('bme680').set(21.5)
        router = Router()
        router.register('GET', '/hello', lambda req: 'hi ' + ','.join(req.args('who')))
        router.add('/echo', lambda req: (req.body, 200, 'application/octet-stream'), ('POST',))
        seen = []
        router.use(lambda req, nxt: (seen.append(req.path), nxt(req))[1])
        self.seen = seen
        self.server = MetricsServer(8080, '0.0.0.0', self.r, router=router, net=self.net,
                                    auth=basic_auth('prom', 's3cret'), timeout=0.3)

    def test_routes_middleware_and_auth(self):
        c, resp = self.ask(b'GET /hello?who=a%20b&who=c HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual((resp[0], resp[2]), (200, b'hi a b,c'))
        c, resp = self.ask(b'POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab\x00cd')
        self.assertEqual((resp[0], resp[2]), (200, b'ab\x00cd'))
        c, resp = self.ask()
        self.assertEqual(resp[0], 401)
        self.assertEqual(resp[1]['www-authenticate'], 'Basic realm="metrics"')
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Basic cHJvbTpzM2NyZXQ=\r\n\r\n')
        self.assertEqual(resp[0], 200)
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Basic cHJvbTpzM2NyZXU=\r\n\r\n')
        self.assertEqual(resp[0], 401)
        self.assertEqual(self.seen, ['/hello', '/echo', '/metrics'])  # 401s stop before middleware

    def test_auth_scheme_in_any_case(self):
        """RFC 9110 11.1: the scheme is case-insensitive; the credentials are not."""
        for scheme in (b'basic', b'BASIC', b'bAsIc'):
            c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: ' +
                               scheme + b' cHJvbTpzM2NyZXQ=\r\n\r\n')
            self.assertEqual(resp[0], 200, scheme)
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Basic '
                           b'CHJVBTPZM2NYZXQ=\r\n\r\n')
        self.assertEqual(resp[0], 401)
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer '
                           b'cHJvbTpzM2NyZXQ=\r\n\r\n')
        self.assertEqual(resp[0], 401)

    def test_bearer_in_any_case(self):
        from prometheus_express.routing import bearer_token
        self.server.close()
        self.server = MetricsServer(8080, '0.0.0.0', self.r, net=self.net,
                                    auth=bearer_token('t0k3n'), timeout=0.3)
        for scheme in (b'Bearer', b'BEARER', b'bearer'):
            c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: ' +
                               scheme + b' t0k3n\r\n\r\n')
            self.assertEqual(resp[0], 200, scheme)

    def test_a_handler_returning_nonsense_gets_500(self):
        router = self.server.router
        router.add('/none', lambda req: None)
        router.add('/int', lambda req: 7)
        router.add('/dict', lambda req: {'a': 1})
        router.add('/tuple', lambda req: (1, 2, 3, 4, 5))
        for path in (b'/none', b'/int', b'/dict', b'/tuple'):
            c, resp = self.ask(b'GET ' + path + b' HTTP/1.1\r\nHost: t\r\n\r\n')
            self.assertEqual(resp[0], 500, path)
            self.assertFalse(c.closed)  # and the connection goes on
            c.out = bytearray()
            c.feed(b'GET /hello?who=x HTTP/1.1\r\nHost: t\r\n\r\n')
            self.spin()
            self.assertEqual(parse_response(c.out)[2], b'hi x')

    def test_options_204_has_no_content_length(self):
        c, resp = self.ask(b'OPTIONS /hello HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(resp[0], 204)
        self.assertTrue('content-length' not in resp[1], resp[1])
        self.assertTrue('GET' in resp[1]['allow'])
        c.out = bytearray()  # the connection goes on after it
        c.feed(b'GET /hello?who=y HTTP/1.1\r\nHost: t\r\n\r\n')
        self.spin()
        self.assertEqual(parse_response(c.out)[2], b'hi y')


class Pipelining(Base):
    def test_two_host_lines_get_400(self):
        c, resp = self.ask(b'GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')
        self.assertEqual(resp[0], 400)
        self.assert_scrape_works()

    def test_hundreds_of_pipelined_requests_in_one_read(self):
        """They were answered by a recursion (one level a request): RecursionError at ~165
        on CPython, sooner on a board. Now a loop answers every one."""
        n = 400 if CPYTHON else 150  # (a board's recursion gave out far sooner)
        req = b'GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n'
        c = self.net.client(b'')
        self.spin()
        conn, = self.server._conns.values()
        conn.inb.extend(req * n)  # one read of them all (a socket gives a few KB at most)
        self.server._request(conn)
        self.spin(40)
        # (counted in place: a board's heap has no room for copies of the rest at each step)
        self.assertEqual(c.out.count(b'HTTP/1.1 404 '), n)
        self.assertEqual(c.out.count(b'HTTP/1.1 '), n)
        self.assertEqual(parse_response(bytes(c.out[:200]))[0], 404)
        self.assertEqual(self.errors('other'), 0)
        self.assert_scrape_works()


class PremadeAnswer(Base):
    """The pre-made 503 needs no heap: with the heap locked (micropython.heap_lock, where the
    runtime has it), a connection whose answer could not be made still gets it."""

    def test_the_503_is_set_up_with_the_heap_locked(self):
        try:
            from micropython import heap_lock, heap_unlock
        except (ImportError, AttributeError):
            self.skipTest('no micropython.heap_lock on this runtime')
        from prometheus_express.http import OOM
        c = self.net.client(b'GET /metr')  # half a request read: nothing answered yet
        self.spin(2)
        conn, = self.server._conns.values()

        class Poller:  # (the in-memory one allocates; select.poll's modify does not)
            def modify(self, sock, events):
                pass
        real, self.server._poller = self.server._poller, Poller()
        heap_lock()
        try:
            self.server._oom(conn)
        finally:
            heap_unlock()
            self.server._poller = real
        self.assertEqual(bytes(conn.out), OOM)
        self.assertEqual(conn.status, 503)
        self.assertEqual(len(conn.inb), 0)
        real.modify(conn.sock, 4)  # (POLLOUT, as _oom asked of the stand-in)
        self.spin(3)
        self.assertEqual(parse_response(c.out)[0], 503)


class Collecting(Base):
    """Boards collect a page's garbage once 8 buffers of page went out, at a poll that finds
    no client waiting (server.poll), or after 64 buffers when clients keep coming
    (answering._done): never while a client waits for its answer. The collector is stood in
    for by a counter here (CPython has none to call)."""

    def setUp(self):
        Base.setUp(self)
        from prometheus_express import answering, server
        self.mods = (server, answering)
        self.was = (server._gc, answering._gc, answering.Answering.bufs)
        self.collected = []
        server._gc = answering._gc = self.collect

    def collect(self):
        self.collected.append(1)

    def tearDown(self):
        server, answering = self.mods
        server._gc, answering._gc, answering.Answering.bufs = self.was
        Base.tearDown(self)

    def test_collected_when_no_client_waits(self):
        from prometheus_express.answering import Answering
        c = self.net.client(GET)
        self.spin(2)
        self.assertTrue(b' 200 OK' in c.out)
        Answering.bufs = 8
        del self.collected[:]
        c.out = bytearray()
        c.feed(GET)
        self.server.poll(0)  # a client waits: it is answered, nothing collected
        self.assertTrue(b' 200 OK' in c.out)
        self.assertEqual(self.collected, [])
        self.server.poll(0)  # nobody waits: collected now
        self.assertEqual(self.collected, [1])
        self.assertEqual(Answering.bufs, 0)
        self.server.poll(0)
        self.assertEqual(self.collected, [1])  # (once)

    def test_collected_after_64_buffers_when_clients_keep_coming(self):
        from prometheus_express.answering import Answering
        c = self.net.client(GET)
        self.spin(2)
        Answering.bufs = 63
        del self.collected[:]
        c.out = bytearray()
        c.feed(GET)
        self.server.poll(0)  # a client waits: answered, then collected after its answer
        self.assertTrue(b' 200 OK' in c.out)
        self.assertEqual(self.collected, [1])
        self.assertEqual(Answering.bufs, 0)


class RepeatedRequest(Base):
    """A scraper's request again, read alone, goes straight to its answer (no parse loop);
    anything else (another request, one split across reads, two in one read) takes the
    general path, and every one is answered as before."""

    def test_only_the_repeated_request_skips_the_parse_loop(self):
        calls = []
        general = self.server._request
        self.server._request = lambda conn: (calls.append(1), general(conn))
        c = self.net.client(GET)
        self.spin(3)
        self.assertEqual(parse_response(c.out)[0], 200)
        n = len(calls)
        self.assertTrue(n > 0)  # the first: parsed
        for _ in range(3):
            c.out = bytearray()
            c.feed(GET)
            self.spin(3)
            self.assertEqual(parse_response(c.out)[0], 200)
        self.assertEqual(len(calls), n)  # the same bytes again: straight to the answer
        c.out = bytearray()
        c.feed(GET[:10])
        self.spin(2)
        c.feed(GET[10:])
        self.spin(3)
        self.assertEqual(parse_response(c.out)[0], 200)
        self.assertTrue(len(calls) > n)  # its first part went the general way
        n = len(calls)
        c.out = bytearray()
        c.feed(GET + GET)
        self.spin(4)
        first = parse_response(c.out)
        self.assertEqual((first[0], parse_response(first[3])[0]), (200, 200))
        self.assertTrue(len(calls) > n)  # two in one read: the general way
        n = len(calls)
        other = b'GET /nothing HTTP/1.1\r\nHost: board\r\n\r\n'
        c.out = bytearray()
        c.feed(other)
        self.spin(3)
        self.assertEqual(parse_response(c.out)[0], 404)
        self.assertTrue(len(calls) > n)
        self.assertEqual(self.server.counts.get(200), 7)


if __name__ == '__main__':
    unittest.main()
