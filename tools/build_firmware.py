"""Build the board-like interpreters with prometheus_express frozen into them, as a fleet's
own firmware carries a library (bytecode, names and function tables in flash, not heap).

    .venv/bin/python tools/build_firmware.py --micropython SRC [--micropython-lib LIB]
                                             [--circuitpython CPSRC] [--out build/firmware]

SRC: a MicroPython source tree at the commit ../shared/tools/README.md names for
micropython-board. LIB: micropython-lib (default SRC/lib/micropython-lib), for the frozen
unittest. CPSRC (optional): a CircuitPython git clone (with its tags) at the commit named for
circuitpython-board; its unix port gets MicroPython's socket module (SRC/ports/unix/
modsocket.c) as a `socket` variant, as circuitpython-board has, and needs the `huffman`
package (PyPI) in this Python. The builds write into SRC and CPSRC (mpy-cross/build, the
variant) and into --out. Needs gcc-multilib. For each runtime, two interpreters with the
reference's settings (32-bit, float32, static; btree, ssl and ffi off):
  micropython-board-frozen    asyncio, unittest and prometheus_express frozen
  micropython-board-plain     asyncio and unittest frozen, as ../shared/tools/micropython-board:
                              bench/board.py checks that it measures what the reference does,
                              so the frozen one differs from the reference by our package only
  circuitpython-board-frozen, circuitpython-board-plain: the same (unittest only)
On a board: add `include("PATH/TO/THIS/CLONE")` to its firmware's manifest (manifest.py).
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMON = ['LDFLAGS_EXTRA=-m32 -static', 'MICROPY_PY_BTREE=0', 'MICROPY_PY_SSL=0',
          'MICROPY_SSL_AXTLS=0', 'MICROPY_SSL_MBEDTLS=0', 'MICROPY_PY_FFI=0',
          'PYTHON=' + sys.executable]
FLOAT32 = '-m32 -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT'
SETTINGS = {  # runtime: (make settings, what the manifest freezes besides our package)
    'micropython': (['VARIANT=standard', 'CFLAGS_EXTRA=' + FLOAT32],
                    'include("$(MPY_DIR)/extmod/asyncio")\nrequire("unittest")\n'),
    # CircuitPython's ringbuf is not the one micropython.RingIO is written for: off, as in
    # circuitpython-board
    'circuitpython': (['VARIANT=socket',
                       'CFLAGS_EXTRA=' + FLOAT32 + ' -DMICROPY_PY_MICROPYTHON_RINGIO=0'],
                      'require("unittest")\n')}


def make(where, *args):
    """make, quiet unless it fails (then its last output, and CalledProcessError)."""
    p = subprocess.run(['make', '-j%d' % (os.cpu_count() or 2), '-C', where] + list(args),
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout[-3000:], p.stderr[-3000:], file=sys.stderr)
        raise subprocess.CalledProcessError(p.returncode, p.args)


def socket_variant(cpsrc, mpsrc):
    """CircuitPython's unix port with MicroPython's socket module: the `socket` variant."""
    unix = os.path.join(cpsrc, 'ports', 'unix')
    shutil.copy(os.path.join(mpsrc, 'ports', 'unix', 'modsocket.c'), unix)
    variant = os.path.join(unix, 'variants', 'socket')
    os.makedirs(variant, exist_ok=True)
    shutil.copy(os.path.join(unix, 'variants', 'standard', 'mpconfigvariant.h'), variant)
    with open(os.path.join(variant, 'mpconfigvariant.mk'), 'w') as f:
        f.write('MICROPY_PY_SOCKET = 1\nSRC_C += modsocket.c\n')


def build(src, lib, out, name, base=None, runtime='micropython'):
    """Build one interpreter, out/name, from the source tree src; with the prometheus_express
    package found in the folder `base` frozen into it (bench/board.py freezes
    prometheus-express 0.0.4 this way)."""
    settings, frozen = SETTINGS[runtime]
    manifest = os.path.join(out, name + '.manifest.py')
    with open(manifest, 'w') as f:
        f.write(frozen)
        if base == ROOT:  # ours, as a board's manifest includes it (manifest.py)
            f.write('include(%r)\n' % ROOT)
        elif base:
            f.write('package("prometheus_express", base_path=%r)\n' % base)
    if not os.path.exists(os.path.join(src, 'mpy-cross', 'build', 'mpy-cross')):
        make(os.path.join(src, 'mpy-cross'), 'PYTHON=' + sys.executable)
    work = os.path.join(out, 'build-' + name)
    make(os.path.join(src, 'ports', 'unix'), 'BUILD=' + work, 'PROG=' + name,
         'FROZEN_MANIFEST=' + manifest, 'MPY_LIB_DIR=' + lib, *(settings + COMMON))
    shutil.copy(os.path.join(work, name), os.path.join(out, name))
    return os.path.join(out, name)


def build_all(mpsrc, lib=None, cpsrc=None, out=None, old=None, plain=True):
    """{(runtime, 'plain' | 'ours' | 'old'): interpreter path}; 'plain' unless plain is
    False, 'old' where old (a folder holding 0.0.4's prometheus_express) is given."""
    lib = os.path.abspath(lib or os.path.join(mpsrc, 'lib', 'micropython-lib'))
    os.makedirs(out, exist_ok=True)
    srcs = [('micropython', os.path.abspath(mpsrc))]
    if cpsrc:
        socket_variant(os.path.abspath(cpsrc), os.path.abspath(mpsrc))
        srcs.append(('circuitpython', os.path.abspath(cpsrc)))
    made = {}
    for runtime, src in srcs:
        for kind, base in (('plain', None), ('ours', ROOT), ('old', old)):
            if (kind != 'old' or old) and (kind != 'plain' or plain):
                name = '%s-board-%s' % (runtime, 'frozen' if kind == 'ours' else kind)
                made[runtime, kind] = build(src, lib, out, name, base, runtime)
    return made


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--micropython', required=True, help='a MicroPython source tree')
    ap.add_argument('--micropython-lib', help='micropython-lib (default: SRC/lib/micropython-lib)')
    ap.add_argument('--circuitpython', help='a CircuitPython git clone (optional)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'build', 'firmware'))
    a = ap.parse_args(argv)
    for path in build_all(a.micropython, a.micropython_lib, a.circuitpython,
                          os.path.abspath(a.out)).values():
        print(path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
