"""Build the board-like MicroPython interpreter with prometheus_express frozen into it, as a
fleet's own firmware carries it (bytecode, names and function tables in flash, not heap).

    .venv/bin/python tools/build_firmware.py --micropython SRC [--micropython-lib LIB]
                                             [--out build/firmware]

SRC: a MicroPython source tree at the commit ../shared/tools/README.md names for
micropython-board (the build writes into SRC/mpy-cross/build and the --out folder). LIB:
micropython-lib (default SRC/lib/micropython-lib), for the frozen unittest. Builds the unix
port, standard variant, with micropython-board's settings (32-bit, float32, static; btree,
ssl and ffi off; needs gcc-multilib) twice:
  micropython-board-frozen  asyncio, unittest and prometheus_express frozen
  micropython-board-plain   asyncio and unittest frozen, as ../shared/tools/micropython-board:
                            bench/board.py checks that it measures what the reference does,
                            so the frozen one differs from the reference by our package only
On a board: add `package("prometheus_express", base_path=...)` to the board's manifest.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTINGS = ['VARIANT=standard', 'CFLAGS_EXTRA=-m32 -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT',
            'LDFLAGS_EXTRA=-m32 -static', 'MICROPY_PY_BTREE=0', 'MICROPY_PY_SSL=0',
            'MICROPY_SSL_AXTLS=0', 'MICROPY_SSL_MBEDTLS=0', 'MICROPY_PY_FFI=0']


def make(where, *args):
    """make, quiet unless it fails (then its last output, and CalledProcessError)."""
    p = subprocess.run(['make', '-j%d' % (os.cpu_count() or 2), '-C', where] + list(args),
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout[-3000:], p.stderr[-3000:], file=sys.stderr)
        raise subprocess.CalledProcessError(p.returncode, p.args)


def build(src, lib, out, name, base=None):
    """Build one interpreter, out/name; with the prometheus_express package found in the
    folder `base` frozen into it (bench/board.py freezes prometheus-express 0.0.4 this way)."""
    manifest = os.path.join(out, name + '.manifest.py')
    with open(manifest, 'w') as f:
        f.write('include("$(MPY_DIR)/extmod/asyncio")\nrequire("unittest")\n')
        if base:
            f.write('package("prometheus_express", base_path=%r)\n' % base)
    if not os.path.exists(os.path.join(src, 'mpy-cross', 'build', 'mpy-cross')):
        make(os.path.join(src, 'mpy-cross'))
    work = os.path.join(out, 'build-' + name)
    make(os.path.join(src, 'ports', 'unix'), 'BUILD=' + work, 'PROG=' + name,
         'FROZEN_MANIFEST=' + manifest, 'MPY_LIB_DIR=' + lib, *SETTINGS)
    shutil.copy(os.path.join(work, name), os.path.join(out, name))
    return os.path.join(out, name)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--micropython', required=True, help='a MicroPython source tree')
    ap.add_argument('--micropython-lib', help='micropython-lib (default: SRC/lib/micropython-lib)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'build', 'firmware'))
    a = ap.parse_args(argv)
    src = os.path.abspath(a.micropython)
    lib = os.path.abspath(a.micropython_lib or os.path.join(src, 'lib', 'micropython-lib'))
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    for name, base in (('micropython-board-plain', None), ('micropython-board-frozen', ROOT)):
        print(build(src, lib, out, name, base))
    return 0


if __name__ == '__main__':
    sys.exit(main())
