# The exporter: one listening socket, many clients, no threads needed, never waiting on one.
#
# Imported on: CPython, MicroPython, CircuitPython (only when a server is made).
#
#     server = MetricsServer(8080)        # binds now; raises if the port is taken
#     while True:
#         read_sensors()
#         server.poll(0.5)                # serve what is waiting, at most 0.5 s of waiting
#
# or server.serve_forever(), or start_http_server(8080) for a daemon thread as in
# prometheus_client (background.py). Sockets never block: an answer is a generator of chunks (answer.py)
# rendered one buffer at a time as the client's socket takes them, so a client that stops
# reading keeps its place in the page and the others go on. Every connection has a budget for
# its request and one for its answer; what happens when one runs out, when the table is full,
# after a bad request or when the listener fails is in connections.py. On boards the answer
# buffer is allocated when the server is made.
#
# MetricsServer is made of its listening sockets (connections.py), its connections' requests
# (exchange.py) and their answers (answering.py): small modules, because a board compiles each
# on its heap, and one large module needs a large room at once.
from ._format import lean as _lean

_was = _lean()  # (the modules it imports without line numbers on MicroPython: _format.lean)
try:
    from ._clock import ticks
    from ._format import CPYTHON, GC as _gc, GZIP
    from ._sockets import POLLERR, POLLIN, POLLOUT, Net
    from .answer import new_buffer
    from .answering import Answering
    from .connections import ANSWER, Listening, listener_failed, rebind
    from .exchange import Exchange
    from .registry import REGISTRY
finally:
    _lean(_was)


class MetricsServer(Listening, Exchange, Answering):
    # An HTTP server for /metrics (also on /).
    #
    # port, addr: where to listen (addr '::1' or '::' for IPv6 on CPython). registry: what is
    # served. router: a routing.Router for routes of your own (then /metrics is added to it
    # unless it has one). auth: a check from routing (basic_auth, bearer_token) for the page.
    # net: a Net (Net(socketpool.SocketPool(wifi.radio)) on CircuitPython). max_connections
    # (128 on CPython, 8 on boards). timeout: seconds a client has to send a whole request;
    # answer_timeout: seconds it has to read a whole answer. chunk: bytes of page per buffer;
    # answers: how many answers are sent at once (on a board each has a buffer: the first is
    # made now, while the heap is whole). The server counts answers by status and failures by
    # kind in .counts; self_metrics exports them as exporter_http_requests_total{code} and
    # exporter_http_errors_total{kind}: True (the default on CPython) in `registry`, a
    # CollectorRegistry in that one, False (the default on boards) nowhere. stream is accepted
    # for older callers and ignored (every page is streamed). listeners: sockets listening on
    # the port (1; 3 on a network chip with few sockets and no accept queue, the WIZnet W5500,
    # whose remaining sockets are then max_connections' default).

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
        # A network chip with few sockets (Net.sockets) gets Net.listeners sockets listening
        # and the rest for connections; the chip holds a client until one is free.
        few = getattr(net, 'sockets', None)
        self._few = few
        self.listeners = listeners or getattr(net, 'listeners', 1)
        self.max_connections = max_connections or (few - self.listeners if few else
                                                   128 if CPYTHON else 8)
        self.timeout = timeout
        self.answer_timeout = answer_timeout
        self.gzip = gzip
        self._gz = GZIP and gzip
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
        self._checked = self._began = ticks()
        self._budget = 0
        if self_metrics is None:
            self_metrics = CPYTHON
        self._sm = None
        if self_metrics:
            from .server_metrics import ServerMetrics  # extension: counts as metrics
            self._sm = ServerMetrics(registry if self_metrics is True else self_metrics)
        self._bind()  # the first bind raises, as prometheus_client's does

    def _count(self, key):
        # One more of key in counts (and the self-metrics). Never raises for want of heap (a
        # new key, a new series may need room): an answer must not be lost to its count.
        try:
            self.counts[key] = self.counts.get(key, 0) + 1
            if self._sm is not None:
                self._sm.inc(key)
        except MemoryError:
            pass

    def _buffer(self):
        # The first answer buffer. A heap that has no contiguous room for one of `chunk`
        # bytes (series made first fragment it) gets a smaller one: more sends, same pages.
        while True:
            try:
                return new_buffer(self.chunk)
            except MemoryError:
                _gc()
                if self.chunk <= 64:
                    raise
                self.chunk //= 2

    def poll(self, timeout=0):
        # Serve what is waiting; wait at most `timeout` seconds for something to arrive.
        # Returns within about `timeout` plus the time to render one chunk.
        self._began = start = ticks()
        if len(self._ls) < self.listeners:
            try:
                rebind(self)
            except Exception:  # no heap to load it yet: the next poll tries again
                self._count('bind')
        try:
            events = None
            if _gc is not None and Answering.bufs > 7:
                # boards: once 8 buffers of page went out, collect while no client is waiting
                # (the client reading its answer, sending its next request): the holes a
                # page's garbage left join before the sensor loop allocates again, and
                # nobody waits for it (done between answers instead, it made four clients
                # served 15-20% slower; answering._done collects anyway after 64)
                events = self._poller.poll(0)
                if not events:
                    Answering.bufs = 0
                    _gc()
            if not events:
                events = self._poller.poll(int(timeout * 1000))
        except MemoryError:  # no heap for the poller's answer: nothing this round
            events = ()
        self._budget = timeout if len(events) == 1 else 0  # (answering.sending)
        for e in events:
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
        try:
            self._expire()
        except MemoryError:  # (the lists it walks: the next round checks again)
            pass

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
        # Stop serve_forever() (from another thread or a handler).
        self._stopped = True


if CPYTHON:  # the common request answered at once (cpython_serving.py)
    from .cpython_serving import readable as _readable
    MetricsServer._readable = _readable
    MetricsServer._quick = None  # (request bytes, answer head, ...) of the common request
    del _readable
