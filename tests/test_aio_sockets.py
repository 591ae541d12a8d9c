"""The asyncio exporter on real sockets (CPython asyncio)."""
import asyncio
import unittest
import urllib.request

import prometheus_express as pe
from prometheus_express.aio import serve

from services import free_port


class AsyncServe(unittest.TestCase):
    def test_scrapes_while_other_tasks_run(self):
        r = pe.CollectorRegistry()
        g = pe.Gauge('ticks', 'Ticks of a sensor task.', registry=r)
        port = free_port()

        async def main():
            s = await serve(port, '127.0.0.1', r)

            async def sensor():
                while True:
                    g.inc()
                    await asyncio.sleep(0.01)
            task = asyncio.create_task(sensor())
            loop = asyncio.get_running_loop()
            bodies = []
            for _ in range(3):
                await asyncio.sleep(0.05)
                bodies.append(await loop.run_in_executor(None, lambda: urllib.request.urlopen(
                    'http://127.0.0.1:%d/metrics' % port, timeout=5).read().decode()))
            task.cancel()
            s.server.close()
            await s.server.wait_closed()
            return bodies

        bodies = asyncio.run(main())
        values = [float(b.split('\nticks ')[1].split('\n')[0]) for b in bodies]
        self.assertTrue(values[0] < values[1] < values[2], values)


    def test_silent_client_gets_408_and_others_are_served(self):
        r = pe.CollectorRegistry()
        pe.Gauge('g', 'G.', registry=r).set(1)
        port = free_port()

        async def main():
            s = await serve(port, '127.0.0.1', r, timeout=0.3)
            rd, wr = await asyncio.open_connection('127.0.0.1', port)
            wr.write(b'GET /met')
            await wr.drain()
            loop = asyncio.get_running_loop()
            body = await loop.run_in_executor(None, lambda: urllib.request.urlopen(
                'http://127.0.0.1:%d/metrics' % port, timeout=5).read())
            answer = await asyncio.wait_for(rd.read(), 3)
            wr.close()
            s.server.close()
            await s.server.wait_closed()
            return body, answer

        body, answer = asyncio.run(main())
        self.assertIn(b'\ng 1.0\n', body)
        self.assertTrue(answer.startswith(b'HTTP/1.1 408 '), answer)


if __name__ == '__main__':
    unittest.main()
