# Where the fixed cost goes, on a board-like interpreter (bench/board.py prints it):
#   MICROPYPATH=.frozen:LIBDIR INTERPRETER -X heapsize=256k bench/board_modules.py [IMAGE]
# The heap held after each step of the fixed-cost program (before its scrapes), and the
# names (qstrs) the runtime holds at the end. IMAGE: a ROMFS image of the .mpy files
# (tools/build_lib.py --romfs), mounted at /rom as in bench/board_exporter.py.
import gc
import sys

if len(sys.argv) > 1:
    import vfs
    _rom = open(sys.argv[1], 'rb').read()
    vfs.mount(vfs.VfsRom(_rom), '/rom')
    sys.path.insert(0, '/rom')
import array  # noqa: F401,E402  built-in modules the library imports: not ours to count
import errno  # noqa: F401,E402
import select  # noqa: F401,E402
import socket  # noqa: F401,E402


def used():
    gc.collect()
    return gc.mem_alloc()


start = last = used()


def step(name):
    global last
    now = used()
    print('STEP %s %d' % (name, now - last))
    last = now


import prometheus_express  # noqa: E402
step('core: package, metrics, registry, page writer')
import prometheus_express._sockets  # noqa: E402
step('_sockets')
import prometheus_express.http  # noqa: E402
step('http')
from prometheus_express.server import MetricsServer  # noqa: E402
step('server')
r = prometheus_express.CollectorRegistry()
g = prometheus_express.Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
g.labels('bme680').set(21.5)
step('registry, labelled Gauge, one child')
s = MetricsServer(0, '127.0.0.1', r)
step('MetricsServer (listener, poller, answer buffer)')
print('STEP total %d' % (last - start))
try:
    import micropython
    micropython.qstr_info()  # qstr pool: n_pool=..., n_qstr=...
except (ImportError, AttributeError):
    pass
s.close()
