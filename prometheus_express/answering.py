# A connection's answers: begun with an answer buffer from the server's pool (or waiting in
# line for one), the pre-made 503 when the heap has no room, sent as the socket takes them, and
# ended (keep reading, linger, or close).
#
# Imported on: CPython, MicroPython, CircuitPython (with server.py).
from ._clock import elapsed, ticks
from ._format import GC as _gc
from ._sockets import POLLIN, POLLOUT
from .answer import answer, dispatch, new_buffer
from .connections import ANSWER, READ, linger, unstall
from .http import OOM


class Answering:
    # The answers half of MetricsServer (its methods; the state is the server's).
    bufs = 0  # buffers of page rendered since the last collection (one heap: all servers')

    def _start(self, conn):
        # Begin the answer to conn.req, if a buffer is free (else wait in line for one: an
        # answer whose client has read nothing for half a second loses its buffer to it).
        # False if it waits. Never raises: a connection whose answer could not be begun (a
        # full heap with no room to load what it needed) is closed, its buffer given back.
        try:
            return self._begin(conn)
        except MemoryError:
            self._oom(conn)
            return True
        except Exception:
            self._drop(conn, 'other')
            return True

    def _oom(self, conn):
        # No heap to make conn's answer: the pre-made 503 if none of it went out yet, then
        # close (counted as memory). The next scrape is whole once the program frees heap.
        # Nothing here may need the heap: the answer is http.OOM itself, what the client
        # sent is dropped in place (and _count skips a count that finds no room).
        self._same = None  # (the last request kept for its bytes: exchange.py)
        conn.inb[:] = b''  # (what it sent is not read: it closes after the 503)
        self._count('memory')
        if conn.begun:
            self._drop(conn)
            return
        self._release(conn)
        conn.keep = False
        conn.status = 503
        conn.out = OOM
        conn.state = ANSWER
        self._waits_out(conn)

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
            elif req.resp is not None and self.auth is None:  # a scraper's kept request
                resp = req.resp
            else:
                resp = dispatch(req, self.registry, self.auth)
        except MemoryError:
            raise  # (the pre-made 503: _start)
        except Exception:
            self._count('handler')
            from .http_errors import error_response  # extension: error answers
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
        # Send conn's answer: what the socket takes now, the rest when the poller says it
        # can take more (most answers go out at once and the poller is never asked). When
        # conn is all this poll has to serve, its page is rendered for as long as the poll's
        # time allows; else two buffers of it, then the others' turn.
        conn.state = ANSWER
        self._pump(conn, self._began, self._budget)
        if conn.state == ANSWER:  # (not CLOSED: dropped on the way)
            self._waits_out(conn)

    def _waits_out(self, conn):
        if not conn.wout:
            conn.wout = True
            self._poller.modify(conn.sock, POLLOUT)

    def _pump(self, conn, start, budget):
        # Send what the socket takes; render more chunks while budget seconds since start
        # remain (at least one, and one more: it is mostly the end of the answer, found
        # without another round through the poller). Returns when the socket is full, the
        # answer is done, or time is up (the poller says when the socket can take more).
        sent = 0
        while True:
            out = conn.out
            while out is not None:  # a port may take part of it, then more (Pico W)
                try:
                    k = conn.sock.send(out)
                except Exception as e:
                    self._failed(conn, e)
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
            Answering.bufs += 1
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
        # The answer went out: count it, then keep reading, linger, or close.
        if conn.status:
            self._count(conn.status)
        self._release(conn)
        conn.served += 1
        conn.t0 = ticks()
        if conn.keep:
            conn.state = READ
            if conn.wout:
                conn.wout = False
                self._poller.modify(conn.sock, POLLIN)
            if conn.inb:
                self._request(conn)  # a pipelined request is waiting already
        elif conn.status:
            self._drop(conn)
        else:  # an error answer: read what the client still sends, then close
            linger(self, conn)
        if self._waiting and self._pool:
            self._start(self._waiting[0])
        elif _gc is not None and Answering.bufs > 63:
            # boards: a page's garbage is collected when no client is waiting (server.poll);
            # with clients always waiting, here once 64 buffers of page went out.
            Answering.bufs = 0
            _gc()
