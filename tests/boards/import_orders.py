# A board program that imports the exporter before the metrics (and asyncio first, where the
# interpreter has it), then serves 50 series in a 96 KB heap: run by tests/test_boards.py as
#   INTERPRETER -X heapsize=96k import_orders.py PORT
# The package compiles its core at the first import, so no order leaves it without room.
import gc
import sys
try:
    import asyncio  # noqa: F401 - taking its share of the heap first, as a program would
except ImportError:
    pass
from prometheus_express.server import MetricsServer
from prometheus_express import CollectorRegistry, Gauge, Histogram

r = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
h = Histogram('read_seconds', 'Time to read a sensor.', registry=r)
for i in range(50):
    g.labels('sensor-%d' % i).set(i + 0.5)
    h.observe(i * 0.01)
server = MetricsServer(int(sys.argv[1]), '127.0.0.1', r)
gc.collect()
print('READY', gc.mem_free())
while True:
    server.poll(0.1)
