# The exporter for asyncio programs (CPython asyncio, MicroPython/CircuitPython asyncio).
#
# Imported on: CPython, MicroPython, CircuitPython (only when used).
#
#     server = await serve(8080, registry=REGISTRY)   # returns the AsyncMetricsServer
#     ...                                             # your sensor tasks run alongside
#
# The same parsing and answers as server.MetricsServer; each client is a task. A client has
# `timeout` seconds for its whole request and `answer_timeout` for its whole answer (each
# drain() included); when `max_connections` are open, the one that has waited longest
# without a whole request is closed to make room (503 if every one is being answered).
try:
    import asyncio
except ImportError:  # older MicroPython
    import uasyncio as asyncio

from ._format import lean as _lean

_was = _lean()  # (the modules it imports without line numbers on MicroPython: _format.lean)
try:
    from ._clock import elapsed, ticks
    from ._format import CPYTHON, GZIP
    from .answer import answer, dispatch, new_buffer
    from .http import OOM, HTTPError, body_length, find_head_end, parse_head
    from .http_errors import error_bytes, error_response
    from .registry import REGISTRY
finally:
    _lean(_was)


class AsyncMetricsServer:
    def __init__(self, registry=REGISTRY, router=None, auth=None, timeout=5.0, gzip=True,
                 max_connections=8, answer_timeout=30.0, chunk=1024, answers=None):
        self.registry = registry
        self.router = router
        self.auth = auth
        if router is not None:
            router.add_metrics(registry, auth)
        self.timeout = timeout
        self.answer_timeout = answer_timeout
        self.gzip = gzip
        self._gz = GZIP and gzip
        self.chunk = chunk
        self.max_connections = max_connections
        self.conns = {}   # id(writer): [writer, waiting for a request?, since]
        self.errors = 0
        self.server = None
        # Answer buffers, made once and reused (boards: the first now, while the heap is
        # whole; at most `answers` of them, 2 on boards): a buffer per answer fragments a
        # board's heap. A client waits up to `timeout` for one, then gets 503.
        self.answers = answers or (max_connections if CPYTHON else 2)
        self._pool = [] if CPYTHON else [new_buffer(chunk)]
        self._made = len(self._pool)
        self._busy = error_bytes(503, [('Retry-After', '1')])  # made now, not at the limit

    @property
    def active(self):
        return len(self.conns)

    def _evict(self):
        best = None
        for c in self.conns.values():
            if c[1] and (best is None or elapsed(c[2]) > elapsed(best[2])):
                best = c
        if best is None:
            return False
        self.conns.pop(id(best[0]), None)
        try:
            best[0].close()
        except Exception:
            pass
        return True

    async def _request(self, reader, buf, scratch):
        # The next whole request from reader (buf holds bytes read before); None at EOF.
        while True:
            end = find_head_end(buf)
            if end >= 0:
                req = parse_head(buf[:end])
                need = body_length(req)
                while len(buf) < end + need:
                    if not await self._more(reader, buf, scratch):
                        return None
                req.body = bytes(buf[end:end + need])
                buf[:] = buf[end + need:]
                return req
            if not await self._more(reader, buf, scratch):
                return None

    async def _more(self, reader, buf, scratch):
        # Read what the client sent into buf. Boards read into the connection's own small
        # scratch buffer (no new bytes object a read); CPython reads up to 4 KB.
        if scratch is not None:
            n = await reader.readinto(scratch)
            if n:
                buf.extend(memoryview(scratch)[:n])
            return bool(n)
        data = await reader.read(4096)
        buf.extend(data)
        return bool(data)

    async def _buffer(self):
        # An answer buffer (from the pool, or made while fewer than `answers` exist), or
        # None if none came free within `timeout` seconds.
        since = ticks()
        while True:
            if self._pool:
                return self._pool.pop()
            if self._made < self.answers:
                try:
                    b = new_buffer(self.chunk)
                    self._made += 1
                    return b
                except MemoryError:  # no room for another: the ones there are will do
                    self.answers = self._made
            if elapsed(since) >= self.timeout:
                return None
            await asyncio.sleep(0.02)

    async def _send(self, writer, data, since):
        writer.write(data)
        left = self.answer_timeout - elapsed(since)
        if left <= 0:
            raise asyncio.TimeoutError()
        await asyncio.wait_for(writer.drain(), left)

    async def _linger(self, reader, scratch):
        # After an error answer: read what the client still sends (up to 2 s), so closing
        # does not reset the answer away before the client read it.
        since = ticks()
        try:
            while elapsed(since) < 2:
                junk = bytearray()
                if not await asyncio.wait_for(self._more(reader, junk, scratch),
                                              2 - elapsed(since)):
                    return
        except Exception:
            pass

    async def handle(self, reader, writer):
        # One client connection: requests until it closes, errs or runs out of time.
        me = [writer, True, ticks()]
        if len(self.conns) >= self.max_connections and not self._evict():
            try:
                writer.write(self._busy)
                await asyncio.wait_for(writer.drain(), 1)
            except Exception:
                pass
            await self._close(writer)
            return
        self.conns[id(writer)] = me
        buf = bytearray()
        scratch = None if CPYTHON or not hasattr(reader, 'readinto') else bytearray(128)
        out = None
        try:
            while True:
                begun = False  # bytes of this answer went out
                me[1] = True
                me[2] = ticks()
                try:
                    req = await asyncio.wait_for(self._request(reader, buf, scratch),
                                                 self.timeout)
                except HTTPError as e:
                    await self._send(writer, error_bytes(e.status, None, e.message), ticks())
                    await self._linger(reader, scratch)
                    return
                except asyncio.TimeoutError:
                    if buf:
                        await self._send(writer, error_bytes(408), ticks())
                        await self._linger(reader, scratch)
                    return
                if req is None:
                    return
                me[1] = False
                out = await self._buffer()
                if out is None:  # every buffer busy for `timeout`: come back later
                    await self._send(writer, self._busy, ticks())
                    return
                since = ticks()
                try:
                    resp = (self.router.dispatch(req) if self.router is not None
                            else dispatch(req, self.registry, self.auth))
                except Exception:
                    self.errors += 1
                    resp = error_response(500)
                keep = req.keep_alive and not (callable(resp.body) and req.version == 'HTTP/1.0')
                z = None
                if self._gz and callable(resp.body):
                    from ._gzip import compressor, wants_gzip  # extension: gzip
                    if wants_gzip(req.headers.get('accept-encoding')):
                        z = compressor()
                for chunk in answer(req, resp, keep, out, self.chunk, z):
                    # Boards: the view itself (MicroPython's stream writes it to the socket
                    # at once, copying only what the socket did not take): a copy of each
                    # chunk fragmented a board's heap. CPython: a copy (its buffer can't be
                    # resized while a view of it is alive).
                    await self._send(writer, bytes(chunk) if CPYTHON else chunk, since)
                    begun = True
                    chunk = None
                self._pool.append(out)
                out = None
                if not keep:
                    return
        except (EOFError, OSError, asyncio.TimeoutError):
            pass
        except MemoryError:  # no heap for the request or the page: the pre-made 503, if
            self.errors += 1  # none of the answer went out yet (else the client sees a cut)
            if not begun:
                try:
                    writer.write(OOM)
                    await asyncio.wait_for(writer.drain(), 1)
                except Exception:
                    pass
        except Exception:
            self.errors += 1  # never let a client end the server
        finally:
            if out is not None:
                self._pool.append(out)  # its answer ended early: the buffer goes back
            self.conns.pop(id(writer), None)
            await self._close(writer)

    async def _close(self, writer):
        try:
            writer.close()
            await writer.wait_closed()
        except Exception:
            pass


async def serve(port=8080, addr='0.0.0.0', registry=REGISTRY, **kw):
    # Start serving /metrics on asyncio; returns the AsyncMetricsServer (its .server is the
    # asyncio server: close() it to stop).
    s = AsyncMetricsServer(registry, **kw)
    s.server = await asyncio.start_server(s.handle, addr, port)
    return s
