# The exporter made first, then labelled series until the heap is full (96 KB):
#   INTERPRETER -X heapsize=96k full_heap.py PORT
# Prints 'READY n' (n series made). When a scrape got the 503 of a full heap, the program
# frees heap (drops the metric, makes 200 series anew) and prints 'FREED'.
import gc
import sys

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.server import MetricsServer

r = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
server = MetricsServer(int(sys.argv[1]), '127.0.0.1', r)
n = 0
try:
    for i in range(2000):
        g.labels('sensor-%d' % i).set(i + 0.5)
        n += 1
except MemoryError:
    pass
# and the little heap left taken too (in 64-byte pieces, some given back for the server's
# smallest needs): the page cannot be made, whatever the heap's layout
ballast = []
try:
    while True:
        ballast.append(bytearray(64))
except MemoryError:
    pass
del ballast[-8:]
print('READY', n)
freed = False
while True:
    server.poll(0.1)
    if not freed and server.counts.get('memory'):
        ballast.clear()  # (its items go even if a stale word on the stack holds the list)
        ballast = None
        r.unregister(g)
        g = None
        gc.collect()
        g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
        for i in range(200):
            g.labels('sensor-%d' % i).set(i + 0.5)
        gc.collect()
        freed = True
        print('FREED', server.counts.get(503))
