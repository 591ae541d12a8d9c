# The exporter on an AirLift board (ESP32 co-processor with nina-fw), emulated: the
# unmodified Adafruit ESP32-SPI driver over tests/esp32spi/nina.py, on CPython or
# circuitpython-board:
#   PYTHONPATH=ESP:W5500:W5500/lib:DRIVER:ROOT python3 esp32spi_exporter.py HOST_PORT CONTROL [SERIES [first]]
#   MICROPYPATH=.frozen:ESP:ESP/circuitpython:W5500:W5500/circuitpython:W5500/lib:DRIVER:ROOT \
#       circuitpython-board -X heapsize=256k esp32spi_exporter.py HOST_PORT CONTROL [SERIES]
# (ESP: tests/esp32spi; W5500: ../shared/tools/w5500, for its fake busio, digitalio, board
# and busdevice; DRIVER: the folder adafruit_esp32spi is in.) The board's port 80 is served
# on 127.0.0.1:HOST_PORT ('first': the exporter's modules imported before the driver's, not
# after). CONTROL is a file the test writes 'stop' to (read every half
# second). Prints 'READY', then at the end one 'KEY value' line each: the co-processor's
# socket table at the start, listening and at the end, the longest poll(0.25) in ms, the
# polls, the clients the firmware dropped, and the server's counts.
import sys

if sys.argv[4:] == ['first']:  # the other order: ours compiled first, the driver after
    import prometheus_express.server  # noqa: F401
from airlift import coprocessor_and_pool  # noqa: E402

from harness import say, serve  # noqa: E402

from prometheus_express import CollectorRegistry, Counter, Gauge  # noqa: E402
from prometheus_express._sockets import Net  # noqa: E402
from prometheus_express.server import MetricsServer  # noqa: E402

HOST_PORT = int(sys.argv[1])
CONTROL = sys.argv[2]
SERIES = int(sys.argv[3]) if len(sys.argv) > 3 else 20

cop, esp, pool = coprocessor_and_pool({80: HOST_PORT})
start = cop.table()
registry = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=registry)
loops = Counter('loops', 'Main loop iterations.', registry=registry)
for i in range(SERIES):
    g.labels('sensor-%d' % i).set(i + 0.5)
server = MetricsServer(80, '0.0.0.0', registry, net=Net(pool), timeout=2.0)
listening = cop.table()
say('READY', HOST_PORT, 'listeners', server.listeners, 'max_connections',
    server.max_connections)
longest, polls = serve(server, g, loops, CONTROL)
server.close()
print('START', start)
print('LISTENING', listening)
print('END', cop.table())
print('LONGEST_MS', longest)
print('POLLS', polls)
print('DROPPED', cop.dropped)
print('COUNTS', ' '.join(['%s=%d' % (k, v) for k, v in server.counts.items()]))
cop.close()
