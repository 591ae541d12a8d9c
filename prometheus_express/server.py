"""The exporter: one listening socket, many clients, no threads needed.

Imported on: CPython, MicroPython, CircuitPython (only when a server is made).

    server = MetricsServer(8080)        # binds now; raises if the port is taken
    while True:
        read_sensors()
        server.poll(0.5)                # serve whatever is waiting, at most 0.5 s of waiting

or server.serve_forever(), or start_http_server(8080) for a daemon thread as in
prometheus_client. A client's error never stops the loop; a listener that fails is closed
and bound again with back-off. The server counts what it does in
exporter_http_requests_total{code} and exporter_http_errors_total{kind}.
"""
from ._timing import elapsed, ticks
from ._format import CPYTHON
from ._sockets import POLLERR, POLLIN, ChunkWriter, Net, err_kind, recv_some, send_all
from .http import (HTTPError, Router, body_length, error_response, find_head_end,
                   metrics_handler, parse_head_cached, status_line)
from .exposition import render_bytes
from .registry import REGISTRY

_CHUNK = 1460  # bytes per streamed chunk: one TCP segment on most boards


class _Sender:
    """The socket as the writers see it: send_all() tries a non-blocking send first (most
    answers fit the socket buffer: no extra system calls), and only if that is short waits
    for the rest with the connection's timeout."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.timeout = timeout

    def send_all(self, data):
        sock = self.sock
        try:
            k = sock.send(data)
        except OSError as e:
            if err_kind(e) != 'again':
                raise
            k = 0
        if k is None or k >= len(data):
            return
        sock.settimeout(self.timeout)
        try:
            send_all(sock, memoryview(data)[k:])
        finally:
            sock.setblocking(False)


class _Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.req = None
        self.need = 0
        self.served = 0
        self.t0 = ticks()


def _gzipper():
    """Something with zlib.compressobj's compress(data) and flush() that writes gzip: zlib
    (CPython) or MicroPython's deflate module (with a 1 KB window); None if neither."""
    try:
        import zlib
        return zlib.compressobj(6, zlib.DEFLATED, 31)
    except (ImportError, AttributeError, TypeError):
        pass
    try:
        import deflate
        import io
    except ImportError:
        return None

    class Gzip(io.IOBase):  # DeflateIO writes the compressed stream into this
        def __init__(self):
            self.out = bytearray()
            self.d = deflate.DeflateIO(self, deflate.GZIP, 10)

        def write(self, data):
            self.out.extend(data)
            return len(data)

        def compress(self, data):
            self.d.write(data)
            return self.take()

        def flush(self):
            self.d.close()
            return self.take()

        def take(self):
            out = bytes(self.out)
            self.out[:] = b''
            return out
    try:
        return Gzip()
    except (AttributeError, OSError, ValueError):  # a port built without compression
        return None


def error_bytes(status, headers=None, message=None):
    """A whole error answer that closes the connection."""
    r = error_response(status, message, headers)
    head = status_line('HTTP/1.1', status) + 'Content-Type: text/plain; charset=utf-8\r\n'
    for k, v in r.headers:
        head += k + ': ' + v + '\r\n'
    body = r.body.encode('utf-8')
    head += 'Connection: close\r\nContent-Length: %d\r\n\r\n' % len(body)
    return head.encode('utf-8') + body


def write_response(sock, req, resp, keep, stream=False, gzip=True):
    """Send resp for req through sock.send_all(bytes): streamed in HTTP chunks when stream
    is set (and the client speaks HTTP/1.1), else with a Content-Length; gzip when asked and
    the runtime has zlib or MicroPython's deflate. False when the body failed to render (a 500 went out if nothing
    else had). Shared by MetricsServer and the asyncio server."""
    head = (status_line('HTTP/1.1', resp.status) + 'Content-Type: ' + resp.content_type +
            '\r\n')
    for k, v in resp.headers:
        head += k + ': ' + v + '\r\n'
    body = resp.body
    z = None
    if gzip and req.method != 'HEAD' and 'gzip' in req.headers.get('accept-encoding', ''):
        z = _gzipper()
        if z is not None:
            head += 'Content-Encoding: gzip\r\n'
    if callable(body) and req.method == 'HEAD':
        n = [0]

        def count(s):
            n[0] += len(s.encode('utf-8') if s.__class__ is str else s)
        body(count)  # HEAD: the length an uncompressed GET would get, without the page
        head += 'Content-Length: %d\r\n' % n[0]
        sock.send_all((head + 'Connection: %s\r\n\r\n' % (
            'keep-alive' if keep else 'close')).encode('utf-8'))
        return True
    if callable(body):
        if stream and req.version == 'HTTP/1.1':
            head += 'Connection: %s\r\nTransfer-Encoding: chunked\r\n\r\n' % (
                'keep-alive' if keep else 'close')
            out = ChunkWriter(sock.send_all, _CHUNK, True, head.encode('utf-8'), z)
            try:
                body(out.write)
            except OSError:
                raise
            except Exception:
                if out.head is not None:  # nothing sent yet: a clean 500
                    sock.send_all(error_bytes(500))
                return False
            out.flush(True)
            sock.send_all(b'0\r\n\r\n')
            return True
        try:
            body = render_bytes(body)
        except Exception:
            sock.send_all(error_bytes(500))
            return False
    if isinstance(body, str):
        body = body.encode('utf-8')
    if z is not None:
        body = z.compress(body) + z.flush()
    head += 'Connection: %s\r\nContent-Length: %d\r\n\r\n' % (
        'keep-alive' if keep else 'close', len(body))
    if req.method == 'HEAD':
        sock.send_all(head.encode('utf-8'))
    else:
        sock.send_all(head.encode('utf-8') + body)
    return True


class MetricsServer:
    """An HTTP server for /metrics (and any routes you add to its router).

    port, addr: where to listen. registry: what /metrics serves. router: a Router for more
    routes (a /metrics route is added unless it has one). auth: a check from
    prometheus_express.http (basic_auth, bearer_token) for /metrics. net: a Net (pass
    Net(socketpool.SocketPool(wifi.radio)) on CircuitPython). max_connections (128 on
    CPython, 8 on boards): past it the longest-idle keep-alive connection is closed, and if
    none is idle the newcomer is answered 503. timeout: seconds a client has for each request and to read the answer.
    stream: send large pages in chunks as they render (default: on boards, not on CPython).
    self_metrics: count requests and errors in registry.
    """

    def __init__(self, port=8080, addr='0.0.0.0', registry=REGISTRY, router=None, auth=None,
                 net=None, max_connections=None, timeout=5.0, stream=None, gzip=True,
                 self_metrics=True, backlog=None):
        self.port = port
        self.addr = addr
        self.registry = registry
        self.router = router or Router()
        if not [r for r in self.router.routes if r[0] == '/metrics']:
            self.router.add('/metrics', metrics_handler(registry), ('GET',), auth)
        self.net = net or Net()
        self.max_connections = max_connections or (128 if CPYTHON else 8)
        self.timeout = timeout
        self.stream = (not CPYTHON) if stream is None else stream
        self.gzip = gzip
        self.backlog = backlog or (128 if CPYTHON else 4)
        self._conns = {}
        self._poller = self.net.poller()
        self._listener = None
        self._backoff = 0.25
        self._retry_at = None
        self._stopped = False
        self._by_code = {}
        self._checked = ticks()
        self._metrics(registry if self_metrics else None)
        self._bind()  # the first bind raises, as prometheus_client's does

    def _metrics(self, registry):
        from .metrics import Counter
        self._requests = Counter('exporter_http_requests', 'HTTP requests answered, by status.',
                                 ['code'], registry=None)
        self._errors = Counter('exporter_http_errors', 'Socket and handler failures, by kind.',
                               ['kind'], registry=None)
        if registry is not None:
            for m in (self._requests, self._errors):
                try:
                    registry.register(m)
                except ValueError:
                    pass  # a second server on the same registry: counts stay its own

    def _error(self, kind):
        self._errors.labels(kind).inc()

    # -- listener ---------------------------------------------------------------------------
    def _bind(self):
        self._listener = self.net.listen(self.addr, self.port, self.backlog)
        self._poller.register(self._listener, POLLIN)
        self._backoff = 0.25

    def _listener_failed(self):
        self._error('listener')
        self._poller.unregister(self._listener)
        try:
            self._listener.close()
        except Exception:
            pass
        self._listener = None
        self._retry_at = ticks()

    def _rebind(self):
        if self._retry_at is not None and elapsed(self._retry_at) < self._backoff:
            return
        try:
            self._bind()
            self._retry_at = None
        except Exception:
            self._error('bind')
            self._retry_at = ticks()
            self._backoff = min(self._backoff * 2, 30)

    def _accept(self):
        for _ in range(16):
            try:
                sock, _addr = self._listener.accept()
            except OSError as e:
                if err_kind(e) not in ('again', 'timeout'):
                    self._listener_failed()
                return
            except Exception:
                self._listener_failed()
                return
            try:
                sock.setblocking(False)
            except OSError:
                self._error('accept')
                self._close(sock)
                continue
            if len(self._conns) >= self.max_connections and not self._evict_idle():
                self._reject(sock)
                continue
            self._conns[id(sock)] = _Conn(sock)
            self._poller.register(sock, POLLIN)

    def _evict_idle(self):
        """Make room by closing the longest-idle keep-alive connection (one that has been
        answered and sent nothing since). False if every connection is busy."""
        idle = None
        for c in self._conns.values():
            if c.served and not c.buf and c.req is None:
                if idle is None or elapsed(c.t0) > elapsed(idle.t0):
                    idle = c
        if idle is None:
            return False
        self._drop(idle)
        return True

    def _reject(self, sock):
        self._error('full')
        try:
            sock.settimeout(0.5)
            self._send_error(sock, 503, [('Retry-After', '1')])
        except Exception:
            pass
        self._close(sock)

    # -- connections ------------------------------------------------------------------------
    def _close(self, sock):
        try:
            sock.close()
        except Exception:
            pass

    def _drop(self, conn, kind=None):
        if kind:
            self._error(kind)
        self._conns.pop(id(conn.sock), None)
        self._poller.unregister(conn.sock)
        self._close(conn.sock)

    def _readable(self, conn, ev):
        try:
            n = recv_some(conn.sock, conn.buf)
        except OSError as e:
            kind = err_kind(e)
            if kind != 'again':
                self._drop(conn, kind)
            return
        except Exception:
            self._drop(conn, 'other')
            return
        if n == 0:
            self._drop(conn)  # the peer closed
            return
        self._process(conn)

    def _process(self, conn):
        while True:
            if conn.req is None:
                try:
                    end = find_head_end(conn.buf)
                    if end < 0:
                        return
                    req = parse_head_cached(bytes(conn.buf[:end]))
                    conn.need = body_length(req)
                except HTTPError as e:
                    self._fail(conn, e.status, e.message)
                    return
                conn.buf = conn.buf[end:]
                conn.req = req
            if len(conn.buf) < conn.need:
                return
            req = conn.req
            req.body = bytes(conn.buf[:conn.need])
            conn.buf = conn.buf[conn.need:]
            conn.req = None
            if not self._handle(conn, req):
                self._drop(conn)
                return
            conn.t0 = ticks()
            conn.served += 1
            if not conn.buf:
                return

    def _fail(self, conn, status, message=None):
        """Answer a bad request and close the connection (its stream can't be trusted)."""
        self._count(status)
        try:
            conn.sock.settimeout(1)
            self._send_error(conn.sock, status, None, message)
        except Exception:
            pass
        self._drop(conn)

    def _count(self, status):
        c = self._by_code.get(status)
        if c is None:
            c = self._by_code[status] = self._requests.labels(str(status))
        c.inc()

    def _send_error(self, sock, status, headers=None, message=None):
        send_all(sock, error_bytes(status, headers, message))

    def _handle(self, conn, req):
        """Answer one request; True to keep the connection open."""
        try:
            resp = self.router.dispatch(req)
        except Exception:
            self._error('handler')
            resp = error_response(500)
        keep = req.keep_alive and not self._stopped
        sock = conn.sock
        try:
            ok = write_response(_Sender(sock, self.timeout), req, resp, keep, self.stream,
                                self.gzip)
            if not ok:
                self._error('render')
        except OSError as e:
            self._error(err_kind(e))
            return False
        except Exception:  # a collector failing mid-answer: drop this connection only
            self._error('render')
            return False
        self._count(resp.status if ok else 500)
        return keep and ok


    def _expire(self):
        if elapsed(self._checked) < 0.1:
            return
        self._checked = ticks()
        for conn in list(self._conns.values()):
            if elapsed(conn.t0) > self.timeout:
                if conn.buf or conn.req is not None:
                    self._fail(conn, 408)  # a request was started and not finished
                    self._error('timeout')
                else:
                    self._drop(conn)  # an idle keep-alive connection

    # -- running ----------------------------------------------------------------------------
    def poll(self, timeout=0):
        """Serve what is waiting; wait at most `timeout` seconds for something to arrive."""
        if self._listener is None:
            self._rebind()
        for sock, ev in self._poller.poll(int(timeout * 1000)):
            if sock is self._listener:
                if ev & POLLERR:
                    self._listener_failed()
                else:
                    self._accept()
                continue
            conn = self._conns.get(id(sock))
            if conn is None:
                continue
            if ev & POLLIN or not ev & POLLERR:
                self._readable(conn, ev)
            else:
                self._drop(conn, 'reset')
        self._expire()

    def serve_forever(self, poll_interval=0.5):
        self._stopped = False
        while not self._stopped:
            try:
                self.poll(poll_interval)
            except KeyboardInterrupt:
                raise
            except Exception:  # the loop must survive anything a client or network does
                self._error('loop')

    def shutdown(self):
        """Stop serve_forever() (from another thread or a handler)."""
        self._stopped = True

    def close(self):
        self._stopped = True
        for conn in list(self._conns.values()):
            self._drop(conn)
        if self._listener is not None:
            self._poller.unregister(self._listener)
            self._close(self._listener)
            self._listener = None

    def server_close(self):
        self.close()


def start_http_server(port, addr='0.0.0.0', registry=REGISTRY, **kw):
    """Serve /metrics from a daemon thread, as prometheus_client does.

    Returns (server, thread); thread is None where only _thread exists."""
    server = MetricsServer(port, addr, registry, **kw)
    try:
        import threading
    except ImportError:
        import _thread
        _thread.start_new_thread(server.serve_forever, ())
        return server, None
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server, t
