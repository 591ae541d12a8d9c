# An exporter as a board runs it, for ../shared/tools/micropython-board or circuitpython-board:
#   MICROPYPATH=.frozen:LIBDIR INTERPRETER -X heapsize=96k bench/board_exporter.py LIB MODE N PORT [IMAGE]
# LIB: ours | aio (ours, prometheus_express.aio.serve under asyncio, MODE series only) |
#      old (prometheus-express 0.0.4, patched to bind on this port: see bench/board.py)
# MODE: fixed   one labelled Gauge with one child; prints the heap held every 5 polls
#       perseries  prints the heap held per labelled metric (20 of them, no children yet) and
#               per labelled series (N of them), then exits
#       series  N labelled series, served
#       soak    N gauges + N counters (labelled), every value updated between polls, 10% of
#               children removed and replaced every 20 polls
# IMAGE (optional): a ROMFS image of prometheus_express/*.mpy (tools/build_lib.py --romfs),
#        mounted at /rom as a board with a ROMFS partition mounts it (micropython-board).
# ORDER (environment, LIB ours): when the exporter comes. Unset: its module is imported at
#        the start and the server made after the series. first: imported and made before the
#        series. last: imported and made after them (its code compiled on a used heap).
# Prints 'READY' when it serves, 'MEM name bytes' lines, and 'DIED kind' if it fails.
import gc
import sys

LIB, MODE, N, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if len(sys.argv) > 5:  # ROMFS: the library's .mpy files in an image that a board keeps in
    import vfs         # flash; its bytecode runs from there. Here the image is read into
    _rom = open(sys.argv[5], 'rb').read()  # RAM before the count starts: flash is not heap
    vfs.mount(vfs.VfsRom(_rom), '/rom')
    sys.path.insert(0, '/rom')


def used():
    gc.collect()
    return gc.mem_alloc()


def say(*a):
    print(*a)
    try:
        sys.stdout.flush()
    except AttributeError:
        pass


try:
    ORDER = __import__('os').getenv('ORDER')
except (ImportError, AttributeError):
    ORDER = None
base = used()
server = None
if LIB in ('ours', 'aio'):
    from prometheus_express import CollectorRegistry, Counter, Gauge
    if LIB == 'ours' and ORDER != 'last':
        from prometheus_express.server import MetricsServer
else:
    from prometheus_express import CollectorRegistry, Counter, Gauge, Router
    from prometheus_express import start_http_server
r = CollectorRegistry()
if ORDER == 'first':
    server = MetricsServer(PORT, '127.0.0.1', r)
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
c = Counter('sensor_reads', 'Sensor reads.', ['sensor'], registry=r) if MODE == 'soak' else None
names = None
if MODE == 'fixed':
    g.labels('bme680').set(21.5)
elif MODE == 'perseries':  # label values made beforehand: the user's strings, not counted
    mnames = ['sensor_value_%d' % i for i in range(20)]
    before = used()
    parents = [Gauge(m, 'A sensor reading.', ['sensor'], registry=r) for m in mnames]
    say('MEM per_metric', (used() - before) // 20)
    names = ['sensor-%d' % i for i in range(N)]
    before = used()
    for i, s in enumerate(names):
        g.labels(s).set(i + 0.5)
    say('MEM per_series', (used() - before) // N)
    names = None
    g2 = Gauge('sensor_value2', 'The same, label values made one by one.', ['sensor'],
               registry=r)
    before = used()
    for i in range(N):
        g2.labels('sensor-%d' % i).set(i + 0.5)
    say('MEM per_series_with_label_strings', (used() - before) // N)
else:  # series and soak: label values made as a board would, one by one
    for i in range(N):
        g.labels('sensor-%d' % i).set(i + 0.5)
    if c is not None:
        names = ['sensor-%d' % i for i in range(N)]
        for s in names:
            c.labels(s).inc(1)

if MODE == 'perseries':
    sys.exit(0)
if LIB == 'aio':
    import asyncio
    from prometheus_express.aio import serve

    async def main():
        await serve(PORT, '127.0.0.1', r)
        say('MEM fixed_setup', used() - base)
        say('READY')
        i = 0
        while True:  # the sensor loop
            i += 1
            g.labels('sensor-%d' % (i % N)).set(i % N + 0.5)
            await asyncio.sleep(0.05)
    asyncio.run(main())
if LIB == 'ours':
    if ORDER == 'last':
        from prometheus_express.server import MetricsServer
    if server is None:
        server = MetricsServer(PORT, '127.0.0.1', r)

    def serve_once():
        server.poll(0.05)
else:
    router = Router([('GET', '/metrics', r.handler)])
    server = start_http_server(PORT, '127.0.0.1', timeout=0.05)

    try:  # SURVIVE=1 (bench/serve.py --board): its loop survives what it raises, as the
        SURVIVE = __import__('os').getenv('SURVIVE') == '1'  # CPython serve bench's does
    except (ImportError, AttributeError):
        SURVIVE = False

    def serve_once():
        try:
            server.accept(router)
        except OSError:
            pass  # its accept() times out when nobody comes
        except Exception:
            if not SURVIVE:
                raise

if len(sys.argv) > 5:
    say('FROM', sys.modules['prometheus_express.metrics'].__file__)
say('MEM fixed_setup', used() - base)
say('READY')
polls = 0
fresh = N
while True:
    try:
        serve_once()
        polls += 1
        if MODE == 'fixed' and polls % 5 == 0:
            say('MEM fixed', used() - base)
        if MODE == 'soak':
            for i, s in enumerate(names):
                g.labels(s).set(polls + i * 0.25)
                c.labels(s).inc(1)
            if polls % 20 == 0:
                for k in range(0, N, 10):  # 10% of the children go and new ones come
                    old = names[k]
                    if LIB == 'ours':
                        g.remove(old)
                        c.remove(old)
                    else:  # 0.0.4 has no remove(): its values dict is all there is
                        g.values.pop((old,), None)
                        c.values.pop((old,), None)
                    fresh += 1
                    names[k] = new = 'sensor-%d' % fresh  # replaced before the next poll
                    g.labels(new).set(0.5)
                    c.labels(new).inc(1)
    except MemoryError:
        say('DIED MemoryError')
        raise
