"""The exporter: one listening socket, many clients, no threads needed, never waiting on one.

Imported on: CPython, MicroPython, CircuitPython (only when a server is made).

    server = MetricsServer(8080)        # binds now; raises if the port is taken
    while True:
        read_sensors()
        server.poll(0.5)                # serve what is waiting, at most 0.5 s of waiting

or server.serve_forever(), or start_http_server(8080) for a daemon thread as in
prometheus_client. Sockets never block: an answer is a generator of chunks (http.answer)
rendered one buffer at a time as the client's socket takes them, so a client that stops
reading keeps its place in the page and the others go on. Every connection has a budget for
its request and one for its answer; when the table is full, the connection that has waited
longest without a whole request is closed first, then the longest-idle keep-alive one. On
boards the answer buffers are allocated once, when the server is made.
"""
from ._clock import elapsed, ticks
from ._format import CPYTHON
from ._sockets import POLLERR, POLLIN, POLLOUT, Net, err_kind, recv_some
from .http import (HTTPError, answer, body_length, dispatch, error_bytes, error_response,
                   find_head_end, new_buffer, parse_head, wants_gzip)
from .registry import REGISTRY, CollectorRegistry

_READ, _ANSWER, _LINGER = 0, 1, 2
_LINGER_FOR = 2.0  # seconds to read and drop what a client still sends after an error answer


class _Conn:
    def __init__(self, sock):
        self.sock = sock
        self.state = _READ
        self.inb = bytearray()  # request bytes read and not yet used
        self.req = None         # a whole request waiting for an answer buffer
        self.t0 = ticks()       # when the current wait (request, answer, linger) began
        self.served = 0
        self.gen = None         # the answer being sent (http.answer)
        self.out = None         # bytes of it the socket has not taken yet
        self.buf = None
        self.keep = False
        self.status = 0


class MetricsServer:
    """An HTTP server for /metrics (also on /).

    port, addr: where to listen (addr '::1' or '::' for IPv6 on CPython). registry: what is
    served. router: a routing.Router for routes of your own (then /metrics is added to it
    unless it has one). auth: a check from routing (basic_auth, bearer_token) for the page.
    net: a Net (Net(socketpool.SocketPool(wifi.radio)) on CircuitPython). max_connections
    (128 on CPython, 8 on boards). timeout: seconds a client has to send a whole request;
    answer_timeout: seconds it has to read a whole answer. answers: how many answers are
    sent at once on a board (each has a buffer of chunk bytes, allocated now). self_metrics:
    True counts requests and errors in `registry`, a CollectorRegistry counts them there,
    False not at all.
    """

    def __init__(self, port=8080, addr='0.0.0.0', registry=REGISTRY, router=None, auth=None,
                 net=None, max_connections=None, timeout=5.0, stream=None, gzip=True,
                 self_metrics=None, backlog=None, answer_timeout=30.0, answers=None,
                 chunk=None):
        self.port = port
        self.addr = addr
        self.registry = registry
        self.auth = auth
        self.router = router
        if router is not None:
            from .http import metrics_handler
            if not [r for r in router.routes if r[0] == '/metrics']:
                router.add('/metrics', metrics_handler(registry), ('GET',), auth)
        self.net = net or Net()
        self.max_connections = max_connections or (128 if CPYTHON else 8)
        self.timeout = timeout
        self.answer_timeout = answer_timeout
        self.gzip = gzip
        self._gz = None  # probed when a client first asks for gzip
        self.backlog = backlog or (128 if CPYTHON else 4)
        self.chunk = chunk or (16384 if CPYTHON else 1024)
        # Boards: answer buffers made now, while the heap is whole, and reused for ever.
        self._pool = None if CPYTHON else [new_buffer(self.chunk)
                                           for _ in range(answers or 2)]
        self._conns = {}
        self._waiting = []  # connections with a whole request and no buffer yet
        self._poller = self.net.poller()
        self._listener = None
        self._backoff = 0.25
        self._retry_at = None
        self._stopped = False
        self.counts = {}  # status (int) or error kind (str): how many
        self._checked = ticks()
        if self_metrics is None:
            self_metrics = CPYTHON
        if self_metrics:
            from .server_metrics import ServerMetrics
            ServerMetrics(self, registry if self_metrics is True else self_metrics)
        self._bind()  # the first bind raises, as prometheus_client's does

    def _error(self, kind):
        self.counts[kind] = self.counts.get(kind, 0) + 1

    _count = _error

    # -- listener ---------------------------------------------------------------------------
    def _bind(self):
        self._listener = self.net.listen(self.addr, self.port, self.backlog)
        self._poller.register(self._listener, POLLIN)
        self._backoff = 0.25

    def _listener_failed(self):
        self._error('listener')
        self._poller.unregister(self._listener)
        self._close(self._listener)
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
            if len(self._conns) >= self.max_connections and not self._evict():
                self._error('full')
                try:
                    sock.send(error_bytes(503, [('Retry-After', '1')]))
                except Exception:
                    pass
                self._close(sock)
                continue
            self._conns[id(sock)] = _Conn(sock)
            self._poller.register(sock, POLLIN)

    def _evict(self):
        """Make room: close a lingering connection, else the one that has waited longest
        without a whole request, else the longest-idle keep-alive one. False if every
        connection is being answered."""
        best = None
        rank = -1
        for c in self._conns.values():
            if c.state == _LINGER:
                r = 3
            elif c.state == _READ and c.req is None:
                r = 2 if (c.inb or not c.served) else 1
            else:
                continue
            if r > rank or r == rank and elapsed(c.t0) > elapsed(best.t0):
                best, rank = c, r
        if best is None:
            return False
        self._drop(best, 'evicted')
        return True

    # -- connections ------------------------------------------------------------------------
    def _close(self, sock):
        try:
            sock.close()
        except Exception:
            pass

    def _drop(self, conn, kind=None):
        if kind:
            self._error(kind)
        self._release(conn)
        if conn in self._waiting:
            self._waiting.remove(conn)
        self._conns.pop(id(conn.sock), None)
        self._poller.unregister(conn.sock)
        self._close(conn.sock)

    def _release(self, conn):
        if conn.buf is not None and self._pool is not None:
            self._pool.append(conn.buf)
        conn.buf = None
        conn.gen = None
        conn.out = None

    def _readable(self, conn):
        try:
            n = recv_some(conn.sock, conn.inb)
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
        elif conn.state == _LINGER:
            conn.inb = bytearray()  # read and forgotten
        else:
            self._request(conn)

    def _request(self, conn):
        """Take a whole request from conn.inb if there is one, and start its answer."""
        if conn.state != _READ or conn.req is not None:
            return
        try:
            end = find_head_end(conn.inb)
            if end < 0:
                return
            req = parse_head(conn.inb[:end])
            need = body_length(req)
        except HTTPError as e:
            self._fail(conn, e.status, e.message)
            return
        if len(conn.inb) < end + need:
            return
        req.body = bytes(conn.inb[end:end + need])
        conn.inb = conn.inb[end + need:]
        conn.req = req
        conn.t0 = ticks()
        self._start(conn)

    def _start(self, conn):
        """Begin the answer to conn.req, if a buffer is free (else wait in line for one)."""
        if self._pool is None:
            buf = new_buffer(self.chunk)
        elif self._pool:
            buf = self._pool.pop()
        else:
            if conn not in self._waiting:
                self._waiting.append(conn)
            return
        req = conn.req
        conn.req = None
        try:
            if self.router is not None:
                resp = self.router.dispatch(req)
            else:
                resp = dispatch(req, self.registry, self.auth)
        except Exception:
            self._error('handler')
            resp = error_response(500)
        z = None
        if self.gzip and callable(resp.body) and wants_gzip(req.headers.get('accept-encoding')):
            if self._gz is None:
                from ._gzip import available
                self._gz = available()
            if self._gz:
                from ._gzip import compressor
                z = compressor()
        conn.keep = (req.keep_alive and not self._stopped and
                     not (callable(resp.body) and req.version == 'HTTP/1.0'))
        conn.buf = buf
        conn.status = resp.status
        conn.gen = answer(req, resp, conn.keep, buf, self.chunk, z)
        self._sending(conn)

    def _sending(self, conn):
        conn.state = _ANSWER
        self._poller.modify(conn.sock, POLLOUT)
        self._pump(conn, ticks(), 0)

    def _fail(self, conn, status, message=None):
        """Answer a bad request and close the connection after a lingering read (its stream
        can't be trusted, and an abrupt close would reset the answer away)."""
        self._count(status)
        self._release(conn)
        conn.keep = False
        conn.status = 0
        conn.out = memoryview(error_bytes(status, None, message))
        conn.t0 = ticks()
        self._sending(conn)

    def _pump(self, conn, start, budget):
        """Send what the socket takes; render more chunks while budget seconds since start
        remain (at least one). Returns when the socket is full, the answer is done, or time
        is up (the poller calls again when the socket can take more)."""
        sock = conn.sock
        sent = False
        while True:
            out = conn.out
            while out is not None:  # a port may take part of it and more at once (Pico W)
                try:
                    k = sock.send(out)
                except OSError as e:
                    kind = err_kind(e)
                    if kind != 'again':
                        self._drop(conn, kind)
                    return
                except Exception:
                    self._drop(conn, 'other')
                    return
                if k is None or k >= len(out):
                    out = conn.out = None
                elif k == 0:
                    return
                else:
                    out = conn.out = out[k:]
            if conn.gen is None:
                self._done(conn)
                return
            if sent and elapsed(start) >= budget:
                return
            sent = True
            try:
                conn.out = next(conn.gen)
            except StopIteration:
                conn.gen = None
            except Exception:  # a collector failing mid-page: this connection only
                self._error('render')
                if conn.status:
                    self._count(500)
                self._drop(conn)
                return

    def _done(self, conn):
        """The answer went out: count it, then keep reading, linger, or close."""
        if conn.status:
            self._count(conn.status)
        self._release(conn)
        conn.served += 1
        conn.t0 = ticks()
        if conn.keep:
            conn.state = _READ
            self._poller.modify(conn.sock, POLLIN)
            self._request(conn)  # a pipelined request may be waiting already
        elif conn.status:
            self._drop(conn)
        else:  # after an error answer: read what the client still sends, then close
            conn.state = _LINGER
            conn.inb = bytearray()
            try:
                conn.sock.shutdown(1)  # SHUT_WR: the client sees the end of the answer
            except Exception:
                pass
            self._poller.modify(conn.sock, POLLIN)
        if self._waiting and self._pool:
            self._start(self._waiting.pop(0))

    def _expire(self):
        if elapsed(self._checked) < 0.1:
            return
        self._checked = ticks()
        for conn in list(self._conns.values()):
            waited = elapsed(conn.t0)
            if conn.state == _READ and conn.req is None and waited > self.timeout:
                if conn.inb:
                    self._error('timeout')
                    self._fail(conn, 408)  # a request was started and not finished
                else:
                    self._drop(conn)  # a silent or idle keep-alive connection
            elif conn.state == _ANSWER and waited > self.answer_timeout or \
                    conn.req is not None and waited > self.answer_timeout:
                self._drop(conn, 'timeout')
            elif conn.state == _LINGER and waited > _LINGER_FOR:
                self._drop(conn)

    # -- running ----------------------------------------------------------------------------
    def poll(self, timeout=0):
        """Serve what is waiting; wait at most `timeout` seconds for something to arrive.
        Returns within about `timeout` plus the time to render one chunk."""
        start = ticks()
        if self._listener is None:
            self._rebind()
        for sock, ev in self._poller.poll(int(timeout * 1000)):
            if sock is self._listener:
                if ev & POLLERR and not ev & POLLIN:
                    self._listener_failed()
                else:
                    self._accept()
                continue
            conn = self._conns.get(id(sock))
            if conn is None:
                continue
            if conn.state == _ANSWER:
                if ev & (POLLOUT | POLLERR):
                    self._pump(conn, start, timeout)
            elif ev & POLLIN or ev & POLLERR:
                self._readable(conn)
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
