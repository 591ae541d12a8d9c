# The exporter on the old library's board, emulated: the unmodified Adafruit WIZnet driver
# over ../shared/tools/w5500's W5500, on CPython or circuitpython-board:
#   PYTHONPATH=W5500:W5500/lib:ROOT python3 wiznet_exporter.py HOST_PORT CONTROL [SERIES]
#   MICROPYPATH=.frozen:W5500:W5500/circuitpython:W5500/lib:ROOT circuitpython-board \
#       -X heapsize=224k wiznet_exporter.py HOST_PORT CONTROL [SERIES]
# The board's port 8080 is served on 127.0.0.1:HOST_PORT. CONTROL is a file the test writes
# commands to (read every half second): 'link 0' / 'link 1' pulls and plugs the cable,
# 'heap 0' / 'heap 1' takes away and gives back the heap the driver's register reads need,
# 'stop' ends the run. Prints 'READY', then at the end one 'KEY value' line each: the
# driver's socket reservations and the chip's socket states at the start and at the end,
# the longest poll(0.25) in ms, the polls, and the server's counts.
import sys

# The driver first (wiznet_chip imports it), as a board owner's program does: its largest
# module compiles while the heap is whole; ours, in small modules, compiles in what is left.
# (The exporter first: at 224 KB the driver's compile no longer finds the room.)
from wiznet_chip import chip_and_pool, table

from harness import say, serve  # noqa: E402

from prometheus_express import CollectorRegistry, Counter, Gauge  # noqa: E402
from prometheus_express._sockets import Net  # noqa: E402
from prometheus_express.server import MetricsServer  # noqa: E402

HOST_PORT = int(sys.argv[1])
CONTROL = sys.argv[2]
SERIES = int(sys.argv[3]) if len(sys.argv) > 3 else 20

chip, eth, pool = chip_and_pool({8080: HOST_PORT})
start = table(eth)
registry = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=registry)
loops = Counter('loops', 'Main loop iterations.', registry=registry)
for i in range(SERIES):
    g.labels('sensor-%d' % i).set(i + 0.5)
server = MetricsServer(8080, '0.0.0.0', registry, net=Net(pool), timeout=2.0)
listening = table(eth)
say('READY', HOST_PORT, 'listeners', server.listeners, 'max_connections',
    server.max_connections)


_socket_status = eth.socket_status


def _no_heap(n):
    raise MemoryError('memory allocation failed, allocating 2048 bytes')


def cable(cmd):
    # 'link 0' / 'link 1': the cable out / in. 'heap 0' / 'heap 1': the driver finds no heap
    # for the buffers of a chip register read (as a fragmented board heap after a burst
    # gives it none) / finds it again.
    if cmd.startswith('link '):
        chip.link = cmd == 'link 1'
    elif cmd.startswith('heap '):
        eth.socket_status = _socket_status if cmd == 'heap 1' else _no_heap


longest, polls = serve(server, g, loops, CONTROL, cable)
server.close()
print('START', start)
print('LISTENING', listening)
print('END', table(eth))
print('LONGEST_MS', longest)
print('POLLS', polls)
print('COUNTS', ' '.join(['%s=%d' % (k, v) for k, v in server.counts.items()]))
chip.close()
