"""Remote write on the board interpreters (../shared/tools), 96 KB heap: the heap a buffered
sample holds and the heap a flush needs beyond the backlog.

    .venv/bin/python bench/remote_write.py

Runs tests/boards/remote_flush.py (18 gauges + the writer's own counter, 100 snapshots:
2,000 samples, then one flush) against an in-process receiver that decodes every sample
(protobuf + cramjam), with the backlog in RAM and in a file. Neither prometheus_client nor
prometheus-express 0.0.4 has remote write, so there is no peer column.
"""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
sys.path[:0] = [os.path.join(ROOT, 'tests'), ROOT]


def main():
    if not os.path.isdir(TOOLS):
        print('skipped: %s is absent (the board-like interpreters)' % TOOLS)
        return
    from test_remote_write import Receiver
    print('| interpreter, 96 KB heap | backlog | heap per buffered sample | flush peak beyond '
          'the backlog | samples received | run s (100 snapshots, flush) |')
    print('|---|---|---:|---:|---:|---:|')
    for interp in ('micropython-board', 'circuitpython-board'):
        for mode in ('memory', 'file'):
            rx = Receiver()
            port = rx.url.split(':')[2].split('/')[0]
            args = [os.path.join(TOOLS, interp), '-X', 'heapsize=96k',
                    os.path.join(ROOT, 'tests', 'boards', 'remote_flush.py'), port, mode]
            if mode == 'file':
                args.append(os.path.join(tempfile.mkdtemp(prefix='promexp-rw-'), 'b.buf'))
            t = time.time()
            p = subprocess.run(args, env=dict(os.environ, MICROPYPATH='.frozen:' + ROOT),
                               capture_output=True, text=True, timeout=300)
            took = time.time() - t
            rx.stop()
            vals = dict(line.split(' ', 1) for line in p.stdout.splitlines() if ' ' in line)
            if p.returncode or 'PEAK' not in vals:
                print('| %s | %s | failed: %s |' % (interp, mode, (p.stdout + p.stderr)[-300:]))
                continue
            got = sum(len(v) for v in rx.samples().values())
            print('| %s | %s | %s B | %s B | %d | %.2f |' % (
                interp, 'RAM' if mode == 'memory' else 'file', vals['HELD'].split()[1],
                vals['PEAK'], got, took))


if __name__ == '__main__':
    main()
