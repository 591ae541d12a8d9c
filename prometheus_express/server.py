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
its request and one for its answer; what happens when one runs out, when the table is full,
after a bad request or when the listener fails is in connections.py. On boards the answer
buffer is allocated when the server is made.
"""
from ._clock import elapsed, ticks
from ._format import CPYTHON
from ._gzip import probe as _probe
from ._sockets import POLLERR, POLLIN, POLLOUT, Net, err_kind, recv_some
from .http import HTTPError, answer, body_length, dispatch, error_response, find_head_end, \
    new_buffer, parse_head
from .connections import ANSWER, LINGER, OOM, READ, Conn, expired, fail, linger, \
    listener_failed, make_room, rebind, unstall
from .registry import REGISTRY

_GZ = _probe()  # can this runtime compress? Probed once, at import (board deflate cannot)
del _probe
_gc = None if CPYTHON else __import__('gc').collect


class MetricsServer:
    """An HTTP server for /metrics (also on /).

    port, addr: where to listen (addr '::1' or '::' for IPv6 on CPython). registry: what is
    served. router: a routing.Router for routes of your own (then /metrics is added to it
    unless it has one). auth: a check from routing (basic_auth, bearer_token) for the page.
    net: a Net (Net(socketpool.SocketPool(wifi.radio)) on CircuitPython). max_connections
    (128 on CPython, 8 on boards). timeout: seconds a client has to send a whole request;
    answer_timeout: seconds it has to read a whole answer. chunk: bytes of page per buffer;
    answers: how many answers are sent at once (on a board each has a buffer: the first is
    made now, while the heap is whole). The server counts answers by status and failures by
    kind in .counts; self_metrics exports them as exporter_http_requests_total{code} and
    exporter_http_errors_total{kind}: True (the default on CPython) in `registry`, a
    CollectorRegistry in that one, False (the default on boards) nowhere. stream is accepted
    for older callers and ignored (every page is streamed). listeners: sockets listening on
    the port (1; 3 on a network chip with few sockets and no accept queue, the WIZnet W5500,
    whose remaining sockets are then max_connections' default).
    """

    def __init__(self, port=8080, addr='0.0.0.0', registry=REGISTRY, router=None, auth=None,
                 net=None, max_connections=None, timeout=5.0, stream=None, gzip=True,
                 self_metrics=None, backlog=None, answer_timeout=30.0, answers=None,
                 chunk=None, listeners=None):
        self.port = port
        self.addr = addr
        self.registry = registry
        self.auth = auth
        self.router = router
        if router is not None:
            router.add_metrics(registry, auth)
        self.net = net = net or Net()
        # A network chip with few sockets and no accept queue (the WIZnet W5500: 7 for us)
        # gets 3 sockets listening (3 scrapers at once are served) and the rest for
        # connections; the chip holds a client in a listener until one is free.
        few = getattr(net, 'sockets', None)
        self._few = few
        self.listeners = listeners or (min(3, few // 2) if few else 1)
        self.max_connections = max_connections or (few - self.listeners if few else
                                                   128 if CPYTHON else 8)
        self.timeout = timeout
        self.answer_timeout = answer_timeout
        self.gzip = gzip
        self._gz = _GZ if gzip else False
        self.backlog = backlog or (128 if CPYTHON else 4)
        self.chunk = chunk or (16384 if CPYTHON else 512)
        self.answers = answers or (max_connections or 128 if CPYTHON else 2)
        self._pool = [] if CPYTHON else [self._buffer()]
        self._made = len(self._pool)
        self._conns = {}
        self._waiting = []  # connections with a whole request and no buffer yet
        self._poller = self.net.poller()
        self._ls = []  # the listening sockets
        self._retry_at = None
        self._stopped = False
        self.counts = {}  # status (int) or error kind (str): how many
        self._checked = ticks()
        if self_metrics is None:
            self_metrics = CPYTHON
        self._sm = None
        if self_metrics:
            from .server_metrics import ServerMetrics  # extension: counts as metrics
            self._sm = ServerMetrics(registry if self_metrics is True else self_metrics)
        self._bind()  # the first bind raises, as prometheus_client's does

    def _count(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        if self._sm is not None:
            self._sm.inc(key)

    @property
    def _listener(self):
        return self._ls[0] if self._ls else None

    def _bind(self):
        while len(self._ls) < self.listeners:
            ls = self.net.listen(self.addr, self.port, self.backlog)
            self._ls.append(ls)
            self._poller.register(ls, POLLIN)
            if not self.port:  # port 0: the one the system gave (kept for rebinding)
                try:
                    self.port = ls.getsockname()[1]
                except (AttributeError, OSError):
                    pass
        self._backoff = 0.25

    def _accept(self, ls):
        for _ in range(16):
            if len(self._conns) >= self.max_connections and self._few:
                # no socket to accept into: make one free, else the client waits in the chip
                if not make_room(self, None):
                    return
            try:
                sock = ls.accept()[0]
                sock.setblocking(False)
                try:  # TCP_NODELAY: a page's last chunk must not wait for the client's ACK
                    sock.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY (Linux, lwIP)
                except Exception:
                    pass
            except Exception as e:
                if err_kind(e) not in ('again', 'timeout'):
                    listener_failed(self, ls)
                return
            if len(self._conns) >= self.max_connections:
                try:
                    room = make_room(self, sock)
                except Exception:  # no heap to load it: the newcomer goes
                    sock.close()
                    raise
                if not room:
                    continue
            self._conns[id(sock)] = Conn(sock)
            self._poller.register(sock, POLLIN)

    def _drop(self, conn, kind=None):
        if kind:
            self._count(kind)
        self._release(conn)
        if conn in self._waiting:
            self._waiting.remove(conn)
        self._conns.pop(id(conn.sock), None)
        self._poller.unregister(conn.sock)
        try:
            conn.sock.close()
        except Exception:
            pass

    def _release(self, conn):
        if conn.gen is not None:
            try:
                conn.gen.close()  # a page left half-written lets its metrics know
            except Exception:
                pass
        if conn.buf is not None:
            self._pool.append(conn.buf)
        conn.buf = conn.gen = conn.out = None
        conn.begun = False

    def _readable(self, conn):
        try:
            n = recv_some(conn.sock, conn.inb)
        except MemoryError:  # no heap to read the request: the pre-made 503
            conn.inb = bytearray()
            self._oom(conn)
            return
        except Exception as e:
            kind = err_kind(e)
            if kind != 'again':
                self._drop(conn, kind)
            return
        if n == 0:
            self._drop(conn)  # the peer closed
        elif conn.state == LINGER:
            conn.inb = bytearray()  # read and forgotten
        else:
            self._request(conn)

    def _request(self, conn):
        """Take the whole requests in conn.inb, one after another, and start their answers
        (a loop, not a recursion through _done: a read may hold hundreds of pipelined
        requests)."""
        if conn.looping:
            return  # (called from _done inside the loop below: the loop takes the next)
        conn.looping = True
        try:
            while conn.state == READ and conn.req is None and id(conn.sock) in self._conns:
                try:
                    end = find_head_end(conn.inb)
                    if end < 0:
                        return
                    req = parse_head(conn.inb[:end])
                    need = body_length(req)
                except HTTPError as e:
                    fail(self, conn, e.status, e.message)
                    return
                except MemoryError:  # no heap to read the request (or load what it needs)
                    conn.inb = bytearray()
                    self._oom(conn)
                    return
                if len(conn.inb) < end + need:
                    return
                req.body = bytes(conn.inb[end:end + need])
                conn.inb = conn.inb[end + need:]
                conn.req = req
                conn.t0 = ticks()
                self._start(conn)
        finally:
            conn.looping = False

    def _buffer(self):
        """The first answer buffer. A heap that has no contiguous room for one of `chunk`
        bytes (series made first fragment it) gets a smaller one: more sends, same pages."""
        while True:
            try:
                return new_buffer(self.chunk)
            except MemoryError:
                _gc()
                if self.chunk <= 64:
                    raise
                self.chunk //= 2

    def _start(self, conn):
        """Begin the answer to conn.req, if a buffer is free (else wait in line for one: an
        answer whose client has read nothing for half a second loses its buffer to it).
        False if it waits. Never raises: a connection whose answer could not be begun (a
        full heap with no room to load what it needed) is closed, its buffer given back."""
        try:
            return self._begin(conn)
        except MemoryError:
            self._oom(conn)
            return True
        except Exception:
            self._drop(conn, 'other')
            return True

    def _oom(self, conn):
        """No heap to make conn's answer: the pre-made 503 if none of it went out yet, then
        close (counted as memory). The next scrape is whole once the program frees heap."""
        self._count('memory')
        if conn.begun:
            self._drop(conn)
            return
        self._release(conn)
        conn.keep = False
        conn.status = 503
        conn.out = memoryview(OOM)
        if conn.state != ANSWER:
            conn.state = ANSWER
            self._poller.modify(conn.sock, POLLOUT)

    def _begin(self, conn):
        if not self._pool and self._made >= self.answers:
            unstall(self)
        buf = None
        if self._pool:
            buf = self._pool.pop()
        elif self._made < self.answers:
            try:
                buf = new_buffer(self.chunk)
                self._made += 1
            except MemoryError:  # no room for another: the ones there are will do
                self.answers = self._made
        if buf is None:
            if conn not in self._waiting:
                self._waiting.append(conn)
            return False
        if conn in self._waiting:
            self._waiting.remove(conn)
        conn.buf = buf  # conn's from here: _drop gives it back, whatever happens next
        req = conn.req
        conn.req = None
        try:
            if self.router is not None:
                resp = self.router.dispatch(req)
            else:
                resp = dispatch(req, self.registry, self.auth)
        except Exception:
            self._count('handler')
            resp = error_response(500)
        z = None
        page = callable(resp.body)
        if self._gz and page:
            from ._gzip import compressor, wants_gzip  # extension: gzip
            if wants_gzip(req.headers.get('accept-encoding')):
                z = compressor()
        conn.keep = req.keep_alive and not self._stopped and not (
            page and req.version == 'HTTP/1.0')
        conn.status = resp.status
        conn.gen = answer(req, resp, conn.keep, buf, self.chunk, z)
        conn.moved = ticks()
        self.sending(conn)
        return True

    def sending(self, conn):
        conn.state = ANSWER
        self._poller.modify(conn.sock, POLLOUT)
        self._pump(conn, ticks(), 0)

    def _pump(self, conn, start, budget):
        """Send what the socket takes; render more chunks while budget seconds since start
        remain (at least one, and one more: it is mostly the end of the answer, found
        without another round through the poller). Returns when the socket is full, the
        answer is done, or time is up (the poller says when the socket can take more)."""
        sent = 0
        while True:
            out = conn.out
            while out is not None:  # a port may take part of it, then more (Pico W)
                try:
                    k = conn.sock.send(out)
                except Exception as e:
                    kind = err_kind(e)
                    if kind != 'again':
                        self._drop(conn, kind)
                    return
                if k == 0:
                    return
                conn.moved = ticks()
                if k is None or k >= len(out):
                    out = conn.out = None
                else:
                    out = conn.out = out[k:]
            if conn.gen is None:
                self._done(conn)
                return
            if sent > 1 and elapsed(start) >= budget:
                return
            sent += 1
            try:
                conn.out = next(conn.gen)
                conn.begun = True
            except StopIteration:
                conn.gen = None
            except MemoryError:
                if conn.begun:
                    self._drop(conn, 'memory')
                    return
                self._oom(conn)  # (the pre-made 503 goes out in the next round)
            except Exception:  # a collector failing mid-page: this connection only
                self._count('render')
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
            conn.state = READ
            self._poller.modify(conn.sock, POLLIN)
            self._request(conn)  # a pipelined request may be waiting already
        elif conn.status:
            self._drop(conn)
        else:
            linger(self, conn)
        if self._waiting and self._pool:
            self._start(self._waiting[0])
        elif _gc is not None:  # boards: collect between answers, so the holes left by a
            _gc()              # page's garbage join before the sensor loop allocates again

    def _expire(self):
        if elapsed(self._checked) < 0.1:
            return
        self._checked = ticks()
        for conn in list(self._waiting):
            if not self._start(conn):
                break
        for conn in list(self._conns.values()):
            waited = elapsed(conn.t0)
            if waited > (self.timeout if conn.state == READ and conn.req is None else
                         2.0 if conn.state == LINGER else self.answer_timeout):
                try:
                    expired(self, conn)
                except Exception:
                    self._drop(conn)

    def poll(self, timeout=0):
        """Serve what is waiting; wait at most `timeout` seconds for something to arrive.
        Returns within about `timeout` plus the time to render one chunk."""
        start = ticks()
        if len(self._ls) < self.listeners:
            try:
                rebind(self)
            except Exception:  # no heap to load it yet: the next poll tries again
                self._count('bind')
        for e in self._poller.poll(int(timeout * 1000)):
            sock, ev = e[0], e[1]
            conn = self._conns.get(id(sock))
            try:
                if conn is None and sock in self._ls:
                    if ev & POLLERR and not ev & POLLIN:
                        listener_failed(self, sock)
                    else:
                        self._accept(sock)
                elif conn is None:
                    pass
                elif conn.state == ANSWER:
                    if ev & (POLLOUT | POLLERR):
                        self._pump(conn, start, timeout)
                elif ev & (POLLIN | POLLERR):
                    self._readable(conn)
            except Exception:  # MemoryError too: that client goes, the loop and the rest stay
                try:
                    self._count('other')
                    if conn is not None:
                        self._drop(conn)
                except Exception:
                    pass
        self._expire()

    def serve_forever(self, poll_interval=0.5):
        self._stopped = False
        while not self._stopped:
            try:
                self.poll(poll_interval)
            except KeyboardInterrupt:
                raise
            except Exception:  # the loop must survive anything a client or network does
                self._count('loop')

    def shutdown(self):
        """Stop serve_forever() (from another thread or a handler)."""
        self._stopped = True

    def close(self):
        self._stopped = True
        for conn in list(self._conns.values()):
            self._drop(conn)
        for ls in self._ls:
            self._poller.unregister(ls)
            ls.close()
        self._ls = []

    server_close = close


_TLS = ('certfile', 'keyfile', 'client_cafile', 'client_capath', 'protocol',
        'client_auth_required')


def start_http_server(port, addr='0.0.0.0', registry=REGISTRY, certfile=None, keyfile=None,
                      **kw):
    """Serve /metrics from a daemon thread, as prometheus_client does. With certfile and
    keyfile (and client_cafile, client_capath, protocol, client_auth_required, as
    prometheus_client 0.26 takes them): HTTPS, by start_wsgi_server (CPython's ssl).

    Returns (server, thread); thread is None where only _thread exists."""
    if certfile or keyfile or [k for k in kw if k in _TLS]:
        from .wsgi import start_wsgi_server  # extension: TLS (CPython only)
        return start_wsgi_server(port, addr, registry, certfile=certfile, keyfile=keyfile,
                                 **kw)
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
