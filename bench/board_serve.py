"""Requests/second of /metrics on micropython-board under wrk: ours against
prometheus-express 0.0.4, in one run.

    .venv/bin/python bench/board_serve.py [--sizes 10,100] [--seconds 5]

Each exporter is bench/board_exporter.py (MODE series) in a 96 KB heap, serving N labelled
series; 0.0.4 is the copy with its bind patched (bench/board.py), its loop kept alive through
what it raises (as bench/serve.py keeps it alive on CPython), its printing read. wrk (Debian
package) loads each with 1 and 4 connections.
"""
import argparse
import os
import shutil
import sys
import threading

from board import Exporter, old_copy
from serve import ROOT, wrk


def board(sizes, seconds, heap='96k'):
    """Ours and 0.0.4 (its bind patched, bench/board.py) on micropython-board with a board's
    heap, serving N labelled series (bench/board_exporter.py), under wrk; ratios ours/0.0.4."""
    old = old_copy()
    os.environ['SURVIVE'] = '1'  # 0.0.4's loop dies on a request it cannot parse: kept alive
    print('| micropython-board, %s heap: series | conns | ours req/s | 0.0.4 req/s | ours vs '
          '0.0.4 | errors ours / 0.0.4 |' % heap)
    print('|---:|---:|---:|---:|---:|---:|')
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
                print('| %d | %d | %.0f | %.0f | %s | %d / %d |' % (
                    n, conns, got[0][0], got[1][0],
                    '%.1fx' % (got[0][0] / got[1][0]) if got[1][0] else 'n/a', got[0][2],
                    got[1][2]))
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
