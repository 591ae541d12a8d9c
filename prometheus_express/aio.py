"""The exporter for asyncio programs (CPython asyncio, MicroPython/CircuitPython asyncio).

Imported on: CPython, MicroPython, CircuitPython (only when used).

    server = await serve(8080, registry=REGISTRY)   # returns the asyncio server
    ...                                             # your sensor tasks run alongside

The same parsing, routing and answers as server.MetricsServer; each client is a task.
A board's asyncio StreamWriter buffers what it is given until drain(), so for very large pages
on small boards prefer MetricsServer.poll(), which streams through a fixed buffer.
"""
try:
    import asyncio
except ImportError:  # older MicroPython
    import uasyncio as asyncio

from .http import (HTTPError, Router, body_length, find_head_end, metrics_handler, parse_head)
from .registry import REGISTRY
from .server import error_bytes, write_response


class _Out:
    def __init__(self, writer):
        self.writer = writer

    def send_all(self, data):
        self.writer.write(data)


class AsyncMetricsServer:
    def __init__(self, registry=REGISTRY, router=None, auth=None, timeout=5.0, gzip=True,
                 max_connections=8):
        self.router = router or Router()
        if not [r for r in self.router.routes if r[0] == '/metrics']:
            self.router.add('/metrics', metrics_handler(registry), ('GET',), auth)
        self.timeout = timeout
        self.gzip = gzip
        self.max_connections = max_connections
        self.active = 0
        self.errors = 0
        self.server = None

    async def _read(self, reader):
        data = await asyncio.wait_for(reader.read(1024), self.timeout)
        if not data:
            raise EOFError()
        return data

    async def handle(self, reader, writer):
        """One client connection: requests until it closes, errs or times out."""
        self.active += 1
        out = _Out(writer)
        try:
            if self.active > self.max_connections:
                out.send_all(error_bytes(503, [('Retry-After', '1')]))
                await writer.drain()
                return
            buf = bytearray()
            while True:
                try:
                    end = find_head_end(buf)
                    while end < 0:
                        buf.extend(await self._read(reader))
                        end = find_head_end(buf)
                    req = parse_head(buf[:end])
                    need = body_length(req)
                except HTTPError as e:
                    out.send_all(error_bytes(e.status, None, e.message))
                    await writer.drain()
                    return
                buf = buf[end:]
                while len(buf) < need:
                    buf.extend(await self._read(reader))
                req.body = bytes(buf[:need])
                buf = buf[need:]
                try:
                    resp = self.router.dispatch(req)
                except Exception:
                    self.errors += 1
                    out.send_all(error_bytes(500))
                    await writer.drain()
                    return
                keep = req.keep_alive
                ok = write_response(out, req, resp, keep, False, self.gzip)
                await writer.drain()
                if not ok or not keep:
                    return
        except asyncio.TimeoutError:
            if buf:
                try:
                    out.send_all(error_bytes(408))
                    await writer.drain()
                except Exception:
                    pass
        except (EOFError, OSError):
            pass
        except Exception:
            self.errors += 1  # never let a client end the server
        finally:
            self.active -= 1
            try:
                writer.close()
                await writer.wait_closed()
            except Exception:
                pass


async def serve(port=8080, addr='0.0.0.0', registry=REGISTRY, **kw):
    """Start serving /metrics on asyncio; returns the AsyncMetricsServer (its .server is the
    asyncio server: close() it to stop)."""
    s = AsyncMetricsServer(registry, **kw)
    s.server = await asyncio.start_server(s.handle, addr, port)
    return s
