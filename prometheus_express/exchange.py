# A connection's requests: read as they come, parsed (several pipelined in one read are taken
# one after another), handed to the answering half (answering.py); connections dropped and
# their answer buffers given back; budgets checked. MetricsServer (server.py) is built on
# this; what happens at its limits is in connections.py.
#
# Imported on: CPython, MicroPython, CircuitPython (with server.py).
from ._clock import elapsed, ticks
from ._sockets import err_kind, recv_some
from .connections import CLOSED, LINGER, READ, expired
from .http import HTTPError, body_length, find_head_end, parse_head


class Exchange:
    # The requests half of MetricsServer (its methods; the state is the server's).
    _same = None  # the last body-less request's Request, its bytes in .head

    def _drop(self, conn, kind=None):
        if kind:
            self._count(kind)
        self._release(conn)
        if conn in self._waiting:
            self._waiting.remove(conn)
        conn.state = CLOSED
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

    def _failed(self, conn, e):
        # A send or recv on conn raised e: dropped (counted by kind), unless it would block.
        kind = err_kind(e)
        if kind != 'again':
            self._drop(conn, kind)

    def _refuse(self, conn, status, message=None):
        # Answer conn's bad request (a 4xx, or 408 for one out of time), then close; the
        # pre-made 503 where a full heap has no room to load the error answers.
        try:
            from .http_errors import fail  # extension: error answers
        except MemoryError:
            self._oom(conn)
            return
        fail(self, conn, status, message)

    def _readable(self, conn):
        try:
            n = recv_some(conn.sock, conn.inb)
        except MemoryError:  # no heap to read the request: the pre-made 503
            self._oom(conn)
            return
        except Exception as e:
            self._failed(conn, e)
            return
        if n == 0:
            self._drop(conn)  # the peer closed
        elif conn.state == LINGER:
            conn.inb = bytearray()  # read and forgotten
        elif conn.req is None and self._same is not None and conn.inb == self._same.head:
            conn.inb[:] = b''  # a scraper's request again, alone: no parse, no loop
            conn.req = self._same
            conn.t0 = ticks()
            self._start(conn)
        else:
            self._request(conn)

    def _request(self, conn):
        # Take the whole requests in conn.inb, one after another, and start their answers
        # (a loop, not a recursion through _done: a read may hold hundreds of pipelined
        # requests).
        if conn.looping:
            return  # (called from _done inside the loop below: the loop takes the next)
        conn.looping = True
        try:
            while conn.state == READ and conn.req is None:
                try:
                    end = find_head_end(conn.inb)
                    if end < 0:
                        return
                    req = self._same
                    need = 0
                    if req is None or end != len(conn.inb) or conn.inb != req.head:
                        req = parse_head(conn.inb[:end])
                        need = body_length(req)
                    if len(conn.inb) < end + need:
                        return
                    if not need and end == len(conn.inb) <= 512 and self.router is None:
                        # a scraper sends the same bytes each time: the next such request
                        # reuses this parse (its Request is only read, without a Router; a
                        # head of 512 bytes at most is kept, and none once the heap ran out)
                        req.head = conn.inb
                        self._same = req
                    else:
                        req.body = bytes(conn.inb[end:end + need])
                    conn.inb = conn.inb[end + need:]
                except HTTPError as e:
                    self._refuse(conn, e.status, e.message)
                    return
                except MemoryError:  # no heap to read the request (or load what it needs)
                    self._oom(conn)
                    return
                conn.req = req
                conn.t0 = ticks()
                self._start(conn)
        finally:
            conn.looping = False

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
