"""On a board interpreter: take a 2,000-sample backlog (20 series x 100 snapshots) and flush it
to a receiver on 127.0.0.1, printing what the heap held.

    micropython-board -X heapsize=96k remote_flush.py PORT [memory|file PATH]

Prints HELD (heap held by the backlog, bytes per sample), PEAK (the most heap live beyond
the backlog while the flush runs, measured after a gc.collect() at each send) and SENT.
"""
import gc
import sys

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express._sockets import Net
from prometheus_express.remote_write import RemoteWriter

port = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else 'memory'
path = sys.argv[3] if len(sys.argv) > 3 else None
SNAPS = 100
T0 = 1790000000


class Measured:
    """A socket that runs a gc.collect() before each send and notes the heap then live."""
    peak = 0

    def __init__(self, s):
        self.s = s

    def send(self, data):
        gc.collect()
        Measured.peak = max(Measured.peak, gc.mem_alloc())
        return self.s.send(data)

    def recv(self, n):
        return self.s.recv(n)

    def settimeout(self, t):
        self.s.settimeout(t)

    def close(self):
        self.s.close()


class MeasuredNet(Net):
    def connect(self, host, port, timeout):
        return Measured(Net.connect(self, host, port, timeout))


r = CollectorRegistry()
g = Gauge('cell_voltage', 'Cell voltage.', ['cell'], registry=r)
for i in range(18):
    g.labels('cell-%02d' % i).set(3.3)
clock = [T0]
w = RemoteWriter('http://127.0.0.1:%d/api/v1/write' % port, r, net=MeasuredNet(),
                 labels={'job': 'board', 'instance': 'pico-1'}, clock=lambda: clock[0],
                 path=path if mode == 'file' else None, max_bytes=400000)
w.snapshot()  # the first one makes what every snapshot shares
gc.collect()
base = gc.mem_alloc()
for i in range(1, SNAPS):
    for j in range(18):
        g.labels('cell-%02d' % j).set(3.3 + (i * 18 + j) % 100 / 1000)
    clock[0] = T0 + 15 * i
    w.snapshot()
gc.collect()
held = gc.mem_alloc()
print('BACKLOG', w.held)
print('HELD %d %.1f' % (held - base, (held - base) / (w.held - 20)))
print('SENT', w.flush())
print('PEAK', Measured.peak - held)
print('LEFT', w.held)
