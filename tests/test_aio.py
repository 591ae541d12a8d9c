# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""The asyncio exporter's client handler, driven by in-memory streams on each runtime's own
asyncio (the real-socket run is in test_aio_sockets.py)."""
import unittest

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from fakenet import parse_response
from prometheus_express import CollectorRegistry, Gauge
from prometheus_express import aio
from prometheus_express.aio import AsyncMetricsServer


class _SyncAsyncio:
    """Where asyncio runs on the JavaScript event loop (the WebAssembly MicroPython we test
    with has no asyncio.run), the handler is driven step by step instead; its awaits on these
    in-memory streams never block."""
    TimeoutError = asyncio.TimeoutError

    @staticmethod
    async def wait_for(aw, timeout):
        return await aw


def _drive(coro):
    try:
        while True:
            coro.send(None)
    except StopIteration:
        pass


if not hasattr(asyncio, 'run'):
    aio.asyncio = _SyncAsyncio


class Reader:
    def __init__(self, chunks, stall=False):
        self.chunks = list(chunks)
        self.stall = stall

    async def read(self, n):
        if self.chunks:
            return self.chunks.pop(0)
        if self.stall:
            raise asyncio.TimeoutError()  # what wait_for raises when the client goes quiet
        return b''


class Writer:
    def __init__(self):
        self.out = bytearray()
        self.closed = False

    def write(self, data):
        self.out.extend(data)

    async def drain(self):
        pass

    def close(self):
        self.closed = True

    async def wait_closed(self):
        pass


def run(server, reader):
    w = Writer()
    if hasattr(asyncio, 'run'):
        asyncio.run(server.handle(reader, w))
    else:
        _drive(server.handle(reader, w))
    return w


class Handler(unittest.TestCase):
    def setUp(self):
        self.r = CollectorRegistry()
        Gauge('temperature_celsius', 'T.', ['sensor'], registry=self.r).labels('si7021').set(20)
        self.s = AsyncMetricsServer(self.r, timeout=0.2)

    def test_keep_alive_then_close(self):
        w = run(self.s, Reader([b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /met', b'rics HTTP/1.1\r\nHost: t\r\n'
                                b'Connection: close\r\n\r\n']))
        first = parse_response(w.out)
        second = parse_response(first[3])
        self.assertEqual((first[0], second[0]), (200, 200))
        self.assertTrue(b'temperature_celsius{sensor="si7021"} 20.0\n' in second[2])
        self.assertEqual(second[1]['connection'], 'close')
        self.assertTrue(w.closed)

    def test_errors(self):
        for data, status in ((b'nonsense\r\n\r\n', 400), (b'GET /x HTTP/1.1\r\nHost: t\r\n\r\n', 404),
                             (b'PUT /metrics HTTP/1.1\r\nHost: t\r\n\r\n', 405)):
            w = run(self.s, Reader([data]))
            self.assertEqual(parse_response(w.out)[0], status)

    def test_timeout_mid_request_is_408(self):
        w = run(self.s, Reader([b'GET /metr'], stall=True))
        self.assertEqual(parse_response(w.out)[0], 408)
        self.assertTrue(w.closed)

    def test_peer_gone_is_quiet(self):
        w = run(self.s, Reader([]))
        self.assertEqual(w.out, bytearray())
        self.assertEqual(self.s.errors, 0)


    def test_no_heap_for_the_page_gets_the_premade_503(self):
        """A page that can't be made for want of heap: the 503 made at import, not an
        empty reply; the next scrape is whole once the heap is back."""
        class Full:
            def collect(self):
                raise MemoryError('memory allocation failed, allocating 1024 bytes')
        full = Full()
        self.r.register(full)
        w = run(self.s, Reader([b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n']))
        resp = parse_response(w.out)
        self.assertEqual(resp[0], 503)
        self.assertEqual(resp[2], b'out of memory: free heap on the board, or fewer series\n')
        self.assertTrue(w.closed)
        self.assertEqual(self.s.errors, 1)
        self.r.unregister(full)
        w = run(self.s, Reader([b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n']))
        self.assertEqual(parse_response(w.out)[0], 200)

    def test_answer_buffers_are_made_once_and_reused(self):
        made = []
        real = aio.new_buffer
        aio.new_buffer = lambda n: (made.append(n), real(n))[1]
        try:
            s = AsyncMetricsServer(self.r, timeout=0.2, answers=2)
            for _ in range(10):
                w = run(s, Reader([b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n']))
                self.assertEqual(parse_response(w.out)[0], 200)
        finally:
            aio.new_buffer = real
        self.assertTrue(len(made) <= 1, made)  # (it was one an answer)

    @unittest.skipIf(not hasattr(asyncio, 'run'), 'needs a running asyncio loop')
    def test_non_readers_hold_the_buffers_and_a_newcomer_gets_503(self):
        """8 clients that never read fill the table and hold the 2 answer buffers: a
        newcomer gets the 503 made when the server was (it got nothing, an EOF, before)."""
        class Stuck(Writer):
            async def drain(self):
                await asyncio.sleep(5)
        s = AsyncMetricsServer(self.r, timeout=0.2, answers=2)
        get = b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n'

        async def main():
            tasks = [asyncio.create_task(s.handle(Reader([get], stall=True), Stuck()))
                     for _ in range(8)]
            await asyncio.sleep(0.05)
            w = Writer()
            await s.handle(Reader([get]), w)
            for t in tasks:
                t.cancel()
            await asyncio.sleep(0.05)
            return w
        w = asyncio.run(main())
        resp = parse_response(w.out)
        self.assertEqual(resp[0], 503)
        self.assertEqual(resp[1]['retry-after'], '1')
        self.assertTrue(w.closed)
        self.assertTrue(s._made <= 2)


if __name__ == '__main__':
    unittest.main()
