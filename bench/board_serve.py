"""Requests/second of /metrics on micropython-board under wrk: ours against
prometheus-express 0.0.4, in one run, beside two yardsticks that are not exporters a board
owner would run: the floor (bench/floor_exporter.py: labelled gauges, the text page rendered
per request and sent in one send, keep-alive; no limits, timeouts, error answers or drop-in
API) and the static ceiling (the same loop answering one precomputed copy of the page).

    .venv/bin/python bench/board_serve.py [--sizes 10,100] [--seconds 5]

Each exporter is bench/board_exporter.py (MODE series) in a 96 KB heap, serving N labelled
series; 0.0.4 is the copy with its bind patched (bench/board.py), its loop kept alive through
what it raises (as bench/serve.py keeps it alive on CPython), its printing read. wrk (Debian
package) loads each with 1 and 4 connections. The floor's heap (its code, one labelled gauge
with one child, its listening server) is printed first.
"""
import argparse
import os
import shutil
import subprocess
import sys
import threading

from board import TOOLS, Exporter, old_copy
from serve import ROOT, free_port, wrk


class Yardstick:
    """bench/board_floor_server.py (MODE floor or static) serving n series, with a board's heap."""

    def __init__(self, mode, n, heap):
        self.port = free_port()
        env = dict(os.environ, MICROPYPATH='.frozen:' + os.path.join(ROOT, 'bench'))
        self.p = subprocess.Popen(
            [os.path.join(TOOLS, 'micropython-board'), '-X', 'heapsize=' + heap,
             os.path.join(ROOT, 'bench', 'board_floor_server.py'), mode, str(n), str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        for line in self.p.stdout:
            self.lines.append(line.split())
            if line.startswith('READY'):
                break
        self.ready = bool(self.lines) and self.lines[-1] == ['READY']

    def stop(self):
        self.p.kill()
        self.p.wait()


def board(sizes, seconds, heap='96k'):
    """Ours and 0.0.4 (its bind patched, bench/board.py) on micropython-board with a board's
    heap, serving N labelled series (bench/board_exporter.py), under wrk; ratios ours/0.0.4."""
    old = old_copy()
    os.environ['SURVIVE'] = '1'  # 0.0.4's loop dies on a request it cannot parse: kept alive
    y = Yardstick('floor', 0, heap)
    y.stop()
    print('floor exporter: %s bytes of heap held (code, one labelled gauge with one child, '
          'its listening server)\n' % ' '.join(y.lines[0][2:]))
    print('| micropython-board, %s heap: series | conns | ours req/s | 0.0.4 req/s | ours vs '
          '0.0.4 | errors ours / 0.0.4 | floor req/s | floor vs 0.0.4 | static ceiling req/s '
          '| ours / ceiling |' % heap)
    print('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    try:
        for n in sizes:
            for conns in (1, 4):
                got = []
                for lib, libdir in (('ours', ROOT), ('old', old)):
                    e = Exporter('micropython-board', libdir, lib, 'series', n, heap)
                    # (0.0.4 prints every connection: its output is read, or it stops)
                    threading.Thread(target=e.p.stdout.read, daemon=True).start()
                    try:
                        got.append(wrk(e.port, conns, seconds) if e.ready else (0, 0, -1))
                    finally:
                        e.stop()
                for mode in ('floor', 'static'):
                    y = Yardstick(mode, n, heap)
                    try:
                        got.append(wrk(y.port, conns, seconds) if y.ready else (0, 0, -1))
                    finally:
                        y.stop()
                ref = got[1][0]
                print('| %d | %d | %.0f | %.0f | %s | %d / %d | %.0f | %s | %.0f | %s |' % (
                    n, conns, got[0][0], ref, '%.2fx' % (got[0][0] / ref) if ref else 'n/a',
                    got[0][2], got[1][2], got[2][0], '%.2fx' % (got[2][0] / ref) if ref else 'n/a',
                    got[3][0], '%.0f%%' % (100 * got[0][0] / got[3][0]) if got[3][0] else 'n/a'))
                sys.stdout.flush()
    finally:
        shutil.rmtree(old, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='10,100')
    ap.add_argument('--seconds', type=int, default=5)
    a = ap.parse_args()
    board([int(x) for x in a.sizes.split(',')], a.seconds)


if __name__ == '__main__':
    main()
