# Two yardsticks for bench/board_floor.py, on ../shared/tools/micropython-board:
#   MICROPYPATH=.frozen:bench INTERPRETER -X heapsize=96k bench/board_floor_server.py MODE N PORT
# MODE floor   the least exporter (floor_exporter.py) serving N labelled series
#      static  the ceiling: the same loop answering one precomputed copy of the N-series page
#      core    our core (the package: metrics, registry, page writer) with this loop instead
#              of our exporter, the page written a buffer at a time into one buffer made
#              first and sent in HTTP/1.1 chunks (as ours sends it; the sends wait here): the
#              heap a board needs for N series before the exporter's limits, error answers
#              and network chips (run it with a small -X heapsize)
# Prints 'MEM fixed BYTES' (heap held by floor_exporter's code, one labelled Gauge with one
# child and the listening server: as board_exporter.py's fixed mode counts ours) and 'READY'.
import gc
import sys

MODE, N, PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import select  # noqa: E402,F401  (built in: not the exporter's to count)
import socket  # noqa: E402,F401
gc.collect()
base = gc.mem_alloc()
answer = None
if MODE == 'core':
    from prometheus_express import CollectorRegistry, Gauge  # noqa: E402
    from prometheus_express.page import page as text

    buf = bytearray(1024)

    def chunk(s):
        s.send(b'%x\r\n' % len(buf))
        s.send(buf)
        s.send(b'\r\n')
        buf[:] = b''

    def core_answer(s):
        s.setblocking(True)
        s.send(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8'
               b'\r\nTransfer-Encoding: chunked\r\n\r\n')
        buf[:] = b''
        for _ in text(registry, buf.extend, False, buf, 512):
            chunk(s)
        if buf:
            chunk(s)
        s.send(b'0\r\n\r\n')
        s.setblocking(False)
    answer = core_answer
    registry = CollectorRegistry()
    g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=registry)
from floor_exporter import Server, page  # noqa: E402
if MODE != 'core':
    from floor_exporter import Gauge  # noqa: E402
    registry = []
    g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry)
g.labels('bme680').set(21.5)
server = Server(PORT)
gc.collect()
print('MEM fixed', gc.mem_alloc() - base)
if MODE == 'core':
    g.clear()
else:
    g.kids.clear()
for i in range(N):
    g.labels('sensor-%d' % i).set(i + 0.5)
static = page(registry) if MODE == 'static' else None
print('READY')
while True:
    server.poll(registry, static, answer)
