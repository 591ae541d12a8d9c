"""Run bench/footprint.py under the npm MicroPython for our .py files, our .mpy build and
prometheus-express 0.0.4, and print one table (bytes).

    .venv/bin/python bench/footprint_table.py
"""
import ast
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = ['node', os.path.join(ROOT, 'tests', 'mp', 'run.mjs')]
OLD = os.path.join(ROOT, '.venv', 'old-prometheus-express', 'prometheus_express')


def measure(extra):
    p = subprocess.run(RUN + extra, capture_output=True, text=True, check=True, cwd=ROOT)
    line = [l for l in p.stdout.splitlines() if l.startswith('FOOTPRINT ')][0]
    return dict(ast.literal_eval(line[len('FOOTPRINT '):]))


def main():
    script = ['--script', os.path.join(ROOT, 'bench', 'footprint.py')]
    lib = tempfile.mkdtemp(prefix='promexp-lib-')
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'build_lib.py'), '--out', lib],
                   check=True, capture_output=True)
    cols = [('ours .py', measure(script)),
            ('ours .mpy', measure(['--pkg', os.path.join(lib, 'prometheus_express')] + script))]
    if os.path.isdir(OLD):
        cols.append(('0.0.4 .py', measure(['--pkg', OLD] + script + ['--old'])))
    rows = [('core import (held)', 'import', '%d'), ('one labelled metric', 'metric', '%d'),
            ('per series held, 100 series', 'series_100', '%.0f'),
            ('per series held, 1,000 series', 'series_1000', '%.0f'),
            ('scrape: allocated per series, 100', 'alloc_100', '%.0f'),
            ('scrape: allocated per series, 1,000', 'alloc_1000', '%.0f'),
            ('scrape: most live at once, 100', 'burst_100', '%d'),
            ('scrape: most live at once, 1,000', 'burst_1000', '%d')]
    print('| bytes (MicroPython 1.27) | ' + ' | '.join(c[0] for c in cols) + ' |')
    print('|---|' + '---:|' * len(cols))
    for label, key, f in rows:
        print('| %s | %s |' % (label, ' | '.join(f % c[1][key] for c in cols)))


if __name__ == '__main__':
    main()
