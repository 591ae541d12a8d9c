"""Render time of one /metrics page with N labelled gauge series, against the peers.

    .venv/bin/python bench/render.py [--sizes 10,100,1000,10000] [--repeat 200]

Peers, measured in the same run: prometheus_client.generate_latest, and prometheus-express
0.0.4's registry.render() joined and encoded (run in a subprocess from
.venv/old-prometheus-express, since it has our import name). Values change between renders
(untimed) to random floats (repr of up to 17 digits, as a sensor's readings; seeded, the
same for every library); each figure is the best of --repeat renders. Ratios are what to
quote.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLD = os.path.join(ROOT, '.venv', 'old-prometheus-express')


def build(lib, n):
    if lib == 'old':
        import prometheus_express as pe
        r = pe.CollectorRegistry()
        g = pe.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=r)
        keys = [('s%d' % i, 'b%d' % (i % 7)) for i in range(n)]

        def update(k):
            rnd = random.Random(k)
            for key in keys:
                g.labels(*key).set(rnd.random() * 100)
        return update, lambda: '\n'.join(r.render()).encode('utf-8')
    if lib == 'client':
        import prometheus_client as pe
        render = pe.generate_latest
    else:
        sys.path.insert(0, ROOT)
        import prometheus_express as pe
        render = pe.generate_latest
    r = pe.CollectorRegistry()
    g = pe.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=r)
    kids = [g.labels('s%d' % i, 'b%d' % (i % 7)) for i in range(n)]

    def update(k):
        rnd = random.Random(k)
        for c in kids:
            c.set(rnd.random() * 100)
    return update, lambda: render(r)


def measure(lib, n, repeat):
    update, render = build(lib, n)
    best = float('inf')
    for k in range(repeat):
        update(k)
        t = time.perf_counter()
        page = render()
        best = min(best, time.perf_counter() - t)
    return {'lib': lib, 'n': n, 'seconds': best, 'bytes': len(page), 'page': page.decode()}


def run_old(n, repeat):
    env = dict(os.environ, PYTHONPATH=OLD)
    p = subprocess.run([sys.executable, os.path.abspath(__file__), '--one', 'old', '--sizes',
                        str(n), '--repeat', str(repeat)], env=env, cwd='/', capture_output=True,
                       text=True, check=True)
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='10,100,1000,10000')
    ap.add_argument('--repeat', type=int, default=200)
    ap.add_argument('--one')
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(',')]
    if a.one:
        print(json.dumps(measure(a.one, sizes[0], a.repeat)))
        return
    print('| series | prometheus_express | prometheus_client | old 0.0.4 | vs client | vs old |')
    print('|---:|---:|---:|---:|---:|---:|')
    for n in sizes:
        rep = max(5, a.repeat * 100 // max(n, 100))
        ours = measure('express', n, rep)
        client = measure('client', n, rep)
        old = run_old(n, rep) if os.path.isdir(OLD) else None
        same = ours['page'] == client['page']
        print('| %d | %.3f ms | %.3f ms | %s | %.1fx | %s |%s' % (
            n, ours['seconds'] * 1e3, client['seconds'] * 1e3,
            '%.3f ms' % (old['seconds'] * 1e3) if old else 'n/a',
            client['seconds'] / ours['seconds'],
            '%.1fx' % (old['seconds'] / ours['seconds']) if old else 'n/a',
            '' if same else '  OUTPUT DIFFERS FROM prometheus_client'))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
