"""Heap footprint under MicroPython 1.27 (the npm WebAssembly interpreter), beside
prometheus-express 0.0.4 measured the same way. Run all variants and print the table:

    .venv/bin/python bench/footprint_table.py

or one variant: node tests/mp/run.mjs [--pkg DIR] --script bench/footprint.py [--old]

Each step runs in its own interpreter call, because this port collects garbage only between
calls; gc.mem_alloc() after gc.collect() at the start of a step is what the earlier steps
left alive. Within one call nothing is collected, so the growth of gc.mem_alloc() during a
scrape is every byte the scrape allocated. Measured:
  import     the core (metrics, registry, exposition; no server) held after import
  metric     one labelled Gauge, held
  series     each labelled series, held (label values made beforehand, not counted)
  alloc      bytes allocated per series while one page is produced and sent in 1460-byte
             chunks by the server's own ChunkWriter (ours), or rendered, joined and encoded
             (0.0.4, as its server does)
  burst      the most allocated between two sends: what must be live at once when the
             collector runs between chunks (a board's gc does; this port's can't mid-call)
"""
import gc
import sys

try:
    from _script_args import ARGV  # written by tests/mp/run.mjs
except ImportError:
    ARGV = sys.argv

OLD = '--old' in ARGV
SIZES = (100, 1000)
S = {}       # state carried between steps
OUT = {}


def used():
    gc.collect()
    return gc.mem_alloc()


def step(i):
    steps = [start, imported, names, metric_made]
    for n in SIZES:
        steps += [lambda n=n: make_series(n), lambda n=n: series_made(n),
                  lambda n=n: scrape(n), lambda n=n: drop(n)]
    steps.append(report)
    steps[i]()
    return i + 1 < len(steps)


def start():
    if OLD:
        sys.modules['socket'] = type(sys)  # its package imports socket; this port has none
    S['base'] = used()
    if OLD:
        import prometheus_express  # noqa: F401 - 0.0.4 imports everything at once
    else:
        from prometheus_express import exposition, metrics, registry  # noqa: F401


def imported():
    OUT['import'] = used() - S['base']


def names():
    import prometheus_express as pe
    S['r'] = pe.CollectorRegistry()
    S['names'] = {}
    for n in SIZES:
        S['names'][n] = ['sensor-%d' % i for i in range(n)]


def metric_made():
    import prometheus_express as pe
    S['b'] = used()
    S['g'] = pe.Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=S['r'])


def make_series(n):
    if 'metric' not in OUT:
        OUT['metric'] = used() - S['b']
    S['b'] = used()
    g = S['g']
    names = S['names'][n]
    for i in range(n):
        g.labels(names[i]).set(i)


def series_made(n):
    OUT['series_%d' % n] = (used() - S['b']) / n


def scrape(n):
    r = S['r']
    if OLD:
        a = gc.mem_alloc()
        page = '\n'.join(r.render()).encode('utf-8')
        alloc = gc.mem_alloc() - a
        OUT['alloc_%d' % n] = alloc / n
        OUT['burst_%d' % n] = alloc  # the whole page exists at once before it is sent
        del page
        return
    from prometheus_express._sockets import ChunkWriter
    from prometheus_express.exposition import write_text
    bursts = [0]
    mark = [0]

    def send(data):  # what the server's socket would get: note the most made between sends
        now = gc.mem_alloc()
        bursts[0] = max(bursts[0], now - mark[0])
        mark[0] = now

    out = ChunkWriter(send, 1460, True)
    a = mark[0] = gc.mem_alloc()
    write_text(r, out.write)
    out.flush(True)
    OUT['alloc_%d' % n] = (gc.mem_alloc() - a) / n
    OUT['burst_%d' % n] = bursts[0]


def drop(n):
    g = S['g']
    if not OLD:
        g.clear()
    else:
        g.values = {g.emptyLabels: 0}


def report():
    print('FOOTPRINT %s' % repr(sorted(OUT.items())))
