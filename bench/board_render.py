# Render time of one page of N labelled series, on a board-like interpreter:
#   MICROPYPATH=.frozen:LIBDIR INTERPRETER -X heapsize=1M bench/board_render.py LIB N
# LIB ours | old. Prints 'RENDER_MS x': the best of 5 renders (values change in between).
import sys
import time

LIB, N = sys.argv[1], int(sys.argv[2])
import prometheus_express as pe  # noqa: E402

r = pe.CollectorRegistry()
g = pe.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=r)
keys = [('s%d' % i, 'b%d' % (i % 7)) for i in range(N)]
if LIB == 'ours':
    from prometheus_express.exposition import generate_latest

    def page():
        return generate_latest(r)
else:
    def page():
        return '\n'.join(r.render()).encode('utf-8')
best = None
for k in range(5):
    for i, key in enumerate(keys):
        g.labels(*key).set(i + k + 0.5)
    t0 = time.ticks_us()
    page()
    dt = time.ticks_diff(time.ticks_us(), t0) / 1000
    best = dt if best is None or dt < best else best
print('RENDER_MS %.1f' % best)
