"""The asyncio exporter on real sockets (CPython asyncio)."""
import asyncio
import unittest
import urllib.error
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

    def run_hostile(self, make_clients, **kw):
        """Serve with max_connections=8, start the hostile clients, then scrape 6 times
        (each on a new connection) while they go on; returns the statuses."""
        r = pe.CollectorRegistry()
        g = pe.Gauge('many', 'Many series.', ['i'], registry=r)
        for i in range(20000):  # a page of ~500 KB: more than a socket buffer holds
            g.labels('series-%05d' % i).set(i)
        port = free_port()

        async def main():
            s = await serve(port, '127.0.0.1', r, max_connections=8, **kw)
            hostile = await make_clients(port)
            loop = asyncio.get_running_loop()
            statuses = []
            for _ in range(6):
                def scrape():
                    try:
                        with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port,
                                                    timeout=10) as resp:
                            return resp.status if resp.read().count(b'\nmany{') == 20000 \
                                else 'partial'
                    except urllib.error.HTTPError as e:
                        return e.code
                statuses.append(await loop.run_in_executor(None, scrape))
            for t in hostile:
                t.cancel()
            s.server.close()
            await s.server.wait_closed()
            return statuses
        return asyncio.run(main())

    def test_nine_trickling_clients_do_not_lock_it_out(self):
        async def clients(port):
            async def trickle():
                rd, wr = await asyncio.open_connection('127.0.0.1', port)
                try:
                    for b in b'GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ' + b'a' * 200:
                        wr.write(bytes([b]))
                        await wr.drain()
                        await asyncio.sleep(0.1)
                except (OSError, asyncio.CancelledError):
                    pass
            tasks = [asyncio.create_task(trickle()) for _ in range(9)]
            await asyncio.sleep(0.3)
            return tasks
        self.assertEqual(self.run_hostile(clients, timeout=5.0), [200] * 6)

    def test_clients_that_never_read_do_not_hold_their_slots(self):
        async def clients(port):
            held = []
            for _ in range(8):
                rd, wr = await asyncio.open_connection('127.0.0.1', port, limit=1024)
                wr.transport.set_write_buffer_limits(0)
                wr.write(b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n')
                await wr.drain()
                held.append(wr)  # and never read

            async def hold():
                await asyncio.sleep(60)
            await asyncio.sleep(0.3)
            return [asyncio.create_task(hold())]
        self.assertEqual(self.run_hostile(clients, answer_timeout=1.0), [200] * 6)


if __name__ == '__main__':
    unittest.main()
