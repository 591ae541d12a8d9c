# The exporter's listening sockets and client connections, and what happens at their limits.
# Listening: bound (several on a network chip with few sockets and no accept queue), clients
# accepted (room made first where the chip has no spare socket), everything closed. The
# limits: a full connection table (eviction, 503), answers whose clients read nothing (their
# buffers handed over), a request or answer out of time (408, close), a lingering close after
# an error answer, a listener that fails (closed, bound again with back-off). The server is
# passed in (these are its limits, kept apart from its common path). What hands over buffers,
# evicts and times out is loaded with the server, so it is never compiled at the limits; the
# error answers themselves (a 4xx, a 408) are in http_errors.py, loaded at the first one, and
# where a full heap cannot load it that client gets the pre-made 503 (http.OOM) instead.
#
# Imported on: CPython, MicroPython, CircuitPython (by server.py).
from ._clock import elapsed, ticks
from ._sockets import POLLIN, err_kind
from .http import OOM

READ, ANSWER, LINGER, CLOSED = 0, 1, 2, 3  # a connection's state


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.looping = False  # _request is taking its requests
        self.begun = False    # bytes of the current answer went out (or are on their way)
        # (every attribute set here: one set later grows the instance, which a full heap
        # may not allow when the connection must be let go)
        self.state = READ
        self.inb = bytearray()  # request bytes read and not yet used
        self.req = None         # a whole request waiting for an answer buffer
        self.t0 = ticks()       # when the current wait (request, answer, linger) began
        self.served = 0
        self.gen = None         # the answer being sent (http.answer)
        self.out = None         # bytes of it the socket has not taken yet
        self.buf = None
        self.keep = False
        self.status = 0
        self.moved = 0          # when its answer last got bytes out
        self.wout = False       # the poller tells when its socket can take more


def make_room(server, sock):
    # Close a lingering connection, else the one that has waited longest without a whole
    # request, else the longest-idle keep-alive one; if every connection is being answered,
    # answer the newcomer 503 and close it. True if sock can stay (sock None: whether a
    # connection was closed to make room).
    best = None
    rank = -1
    for c in server._conns.values():
        if c.state == LINGER:
            r = 3
        elif c.state == READ and c.req is None:
            r = 2 if (c.inb or not c.served) else 1
        elif c.buf is not None and elapsed(c.moved) > 2:
            r = 0  # an answer its client has read nothing of for 2 s
        else:
            continue
        if r > rank or r == rank and elapsed(c.t0) > elapsed(best.t0):
            best, rank = c, r
    if best is not None:
        server._drop(best, 'stalled' if rank == 0 else 'evicted')
        return True
    if sock is None:
        return False
    server._count('full')
    try:
        try:
            from .http_errors import error_bytes  # extension: error answers
            out = error_bytes(503, [('Retry-After', '1')])
        except MemoryError:  # no heap to make it (or load its code): the pre-made 503
            out = OOM
        sock.send(out)
    except Exception:
        pass
    try:
        sock.close()
    except Exception:
        pass
    return False


def unstall(server):
    # Every answer buffer is taken: drop the answers whose clients have read nothing for
    # half a second (their buffers go to clients that are waiting).
    for c in list(server._conns.values()):
        if c.buf is not None and elapsed(c.moved) > 0.5:
            server._drop(c, 'stalled')


def linger(server, conn):
    # After an error answer: read and drop what the client still sends, then close.
    conn.state = LINGER
    conn.inb = bytearray()
    try:
        conn.sock.shutdown(1)  # SHUT_WR (CPython): the client sees the end of the answer
    except Exception:
        pass
    conn.wout = False
    server._poller.modify(conn.sock, POLLIN)


def expired(server, conn):
    # conn ran out of time: 408 for a started request, else close it.
    if conn.state == READ and conn.req is None and conn.inb:
        server._count('timeout')
        server._refuse(conn, 408)
    else:
        server._drop(conn, 'timeout' if conn.state == ANSWER or conn.req else None)


def listener_failed(server, ls):
    server._count('listener')
    server._poller.unregister(ls)
    try:
        ls.close()
    except Exception:
        pass
    left = []
    for x in server._ls:
        if x is not ls:
            left.append(x)
    server._ls = left
    server._retry_at = ticks()


def rebind(server):
    if server._retry_at is not None and elapsed(server._retry_at) < server._backoff:
        return
    backoff = server._backoff
    try:
        server._bind()
        server._retry_at = None
    except Exception:
        server._count('bind')
        server._retry_at = ticks()
        server._backoff = min(backoff * 2, 30)


class Listening:
    # The listening half of MetricsServer (its methods; the state is the server's).

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
            except MemoryError:
                return  # no heap for the socket object: the client waits for the next poll
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
            try:
                self._conns[id(sock)] = Conn(sock)
                self._poller.register(sock, POLLIN)
            except MemoryError:  # no heap for one more connection: the pre-made 503
                self._conns.pop(id(sock), None)
                self._count('memory')
                try:
                    sock.send(OOM)
                    sock.close()
                except Exception:
                    pass
                return

    def close(self):
        self._stopped = True
        for conn in list(self._conns.values()):
            self._drop(conn)
        for ls in self._ls:
            self._poller.unregister(ls)
            ls.close()
        self._ls = []

    server_close = close
