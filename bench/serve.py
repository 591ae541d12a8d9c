"""Requests/second of /metrics under wrk, against the peers, in one run.

    .venv/bin/python bench/serve.py [--sizes 10,1000] [--conns 1,16,64] [--seconds 5]
    .venv/bin/python bench/serve.py --demo 60     # wrk at 64 connections against the demo
    (on micropython-board against 0.0.4: bench/board_serve.py)

--demo S: the demo exporter (python -m prometheus_express) under wrk -t2 -c64 for S seconds;
prints requests/second, p99, socket errors and non-2xx answers, then checks that the demo
still answers a scrape and stops cleanly on Ctrl-C.

Each server runs in its own process with the same page (N labelled gauge series):
  ours     prometheus_express MetricsServer.serve_forever() (one thread, poll, keep-alive)
  client   prometheus_client.start_http_server (a thread per connection)
  old      prometheus-express 0.0.4's Server.accept() loop (from .venv/old-prometheus-express)
  static   a minimal keep-alive server answering every request with one precomputed page:
           the ceiling for a single-threaded CPython server
wrk (Debian package) loads each with -t2 (-t1 for 1 connection); we print requests/second,
p99 latency, socket errors and the server's peak RSS, and ratios against ours.
"""
import argparse
import os
import re
import select
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLD = os.path.join(ROOT, '.venv', 'old-prometheus-express')


def page_metrics(lib, registry, n):
    g = lib.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=registry)
    for i in range(n):
        g.labels('s%d' % i, 'b%d' % (i % 7)).set(i + 0.5)


def serve(kind, port, n):
    if kind == 'ours':
        sys.path.insert(0, ROOT)
        import prometheus_express as pe
        from prometheus_express.server import MetricsServer
        r = pe.CollectorRegistry()
        page_metrics(pe, r, n)
        MetricsServer(port, '127.0.0.1', r, self_metrics=os.environ.get('BENCH_SELF_METRICS', '1') == '1').serve_forever()
    elif kind == 'client':
        import prometheus_client as pc
        r = pc.CollectorRegistry()
        page_metrics(pc, r, n)
        pc.start_http_server(port, '127.0.0.1', registry=r)
        while True:
            time.sleep(3600)
    elif kind == 'old':
        import builtins
        import prometheus_express as old  # 0.0.4, from PYTHONPATH
        builtins.print = lambda *a, **k: None  # it prints every connection
        r = old.CollectorRegistry()
        g = old.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=r)
        for i in range(n):
            g.labels('s%d' % i, 'b%d' % (i % 7)).set(i + 0.5)
        router = old.Router([('GET', '/metrics', r.handler)])
        server = old.start_http_server(port, address='127.0.0.1', depth=128)
        while True:
            try:
                server.accept(router)
            except Exception:  # its loop dies on errors otherwise
                pass
    elif kind == 'static':
        sys.path.insert(0, ROOT)
        import prometheus_express as pe
        from prometheus_express.server import MetricsServer
        r = pe.CollectorRegistry()
        page_metrics(pe, r, n)
        s = MetricsServer(free_port(), '127.0.0.1', r)  # its own metrics: the same page
        s._count(200)
        s.close()
        body = pe.generate_latest(r)
        resp = (b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n'
                b'Content-Length: %d\r\n\r\n' % len(body)) + body
        static_server(port, resp)


def static_server(port, resp):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', port))
    ls.listen(128)
    ls.setblocking(False)
    p = select.poll()
    p.register(ls, select.POLLIN)
    conns = {}
    while True:
        for fd, ev in p.poll():
            if fd == ls.fileno():
                try:
                    c, _ = ls.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                conns[c.fileno()] = [c, b'']
                p.register(c, select.POLLIN)
                continue
            c, buf = conns[fd]
            try:
                data = c.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b''
            if not data:
                p.unregister(fd)
                del conns[fd]
                c.close()
                continue
            buf += data
            k = buf.count(b'\r\n\r\n')
            conns[fd][1] = buf[buf.rfind(b'\r\n\r\n') + 4:] if k else buf
            if k:
                c.setblocking(True)
                c.sendall(resp * k)
                c.setblocking(False)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(kind, n):
    port = free_port()
    env = dict(os.environ)
    if kind == 'old':
        env['PYTHONPATH'] = OLD
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--serve', kind, str(port),
                          str(n)], env=env, cwd='/')
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise RuntimeError('%s server did not start' % kind)


def peak_rss_kb(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return 0


def _ms(s):
    m = re.match(r'([\d.]+)(us|ms|s|m)$', s)
    if not m:
        return float('nan')
    v = float(m.group(1))
    return {'us': v / 1000, 'ms': v, 's': v * 1000, 'm': v * 60000}[m.group(2)]


def wrk(port, conns, seconds):
    threads = 1 if conns == 1 else 2
    out = subprocess.run(['wrk', '-t%d' % threads, '-c%d' % conns, '-d%ds' % seconds,
                          '--timeout', '2s', '--latency', 'http://127.0.0.1:%d/metrics' % port],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    p99 = re.search(r'^\s+99%\s+(\S+)', out, re.M)  # the Latency Distribution line
    errs = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = sum(int(x) for x in errs.groups()) if errs else 0
    errors += int(non2xx.group(1)) if non2xx else 0
    return rps, _ms(p99.group(1)) if p99 else float('nan'), errors


def demo(seconds):
    import signal
    import urllib.request
    port = free_port()
    p = subprocess.Popen([sys.executable, '-m', 'prometheus_express', '--port', str(port)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        rps, p99, errors = wrk(port, 64, seconds)
        with urllib.request.urlopen('http://127.0.0.1:%d/metrics' % port, timeout=5) as r:
            alive = r.status == 200 and b'prom_express_temperature_celsius' in r.read()
    finally:
        p.send_signal(signal.SIGINT)
        out = p.communicate(timeout=10)[0].decode()
    print('| demo, wrk -t2 -c64 -d%ds | req/s | p99 ms | socket errors + non-2xx | alive after '
          '| clean stop |' % seconds)
    print('|---|---:|---:|---:|---|---|')
    print('| python -m prometheus_express | %.0f | %.1f | %d | %s | %s |' % (
        rps, p99, errors, 'yes' if alive else 'NO', 'yes' if p.returncode == 0 and
        'Traceback' not in out else 'NO'))
    return 0 if alive and not errors and p.returncode == 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--serve', nargs=3)
    ap.add_argument('--demo', type=int, help='seconds of wrk against the demo exporter')
    ap.add_argument('--sizes', default='10,1000')
    ap.add_argument('--conns', default='1,16,64')
    ap.add_argument('--seconds', type=int, default=5)
    ap.add_argument('--kinds', default='ours,client,old,static')
    a = ap.parse_args()
    if a.demo:
        sys.exit(demo(a.demo))
    if a.serve:
        serve(a.serve[0], int(a.serve[1]), int(a.serve[2]))
        return
    kinds = [k for k in a.kinds.split(',') if k != 'old' or os.path.isdir(OLD)]
    print('| series | conns | server | req/s | p99 ms | errors | peak RSS MB | ours vs it |')
    print('|---:|---:|---|---:|---:|---:|---:|---:|')
    summary = []
    for n in [int(x) for x in a.sizes.split(',')]:
        for conns in [int(x) for x in a.conns.split(',')]:
            rows = []
            for kind in kinds:
                p, port = start(kind, n)
                try:
                    rps, p99, errors = wrk(port, conns, a.seconds)
                    rss = peak_rss_kb(p.pid) / 1024
                finally:
                    p.kill()
                    p.wait()
                rows.append((kind, rps, p99, errors, rss))
            ours = rows[0][1]
            for kind, rps, p99, errors, rss in rows:
                print('| %d | %d | %s | %.0f | %.1f | %d | %.1f | %s |' % (
                    n, conns, kind, rps, p99, errors, rss,
                    '' if kind == 'ours' else '%.2fx' % (ours / rps if rps else float('inf'))))
                sys.stdout.flush()
            rps = dict((r[0], r[1]) for r in rows)
            summary.append((n, conns, rps, rows[0][3]))
    # the ratios the serving-speed goals are stated in (issue: >= 10x prometheus_client,
    # >= 2x 0.0.4, >= 30% of the static ceiling at 10 series, no errors at 64 connections)
    print()
    print('| series | conns | ours req/s | vs prometheus_client | vs 0.0.4 | share of static | '
          'ours errors |')
    print('|---:|---:|---:|---:|---:|---:|---:|')
    for n, conns, rps, errors in summary:
        ratio = lambda k, f: f % (rps['ours'] / rps[k]) if rps.get(k) else 'n/a'  # noqa: E731
        print('| %d | %d | %.0f | %s | %s | %s | %d |' % (
            n, conns, rps['ours'], ratio('client', '%.1fx'), ratio('old', '%.1fx'),
            '%.0f%%' % (100 * rps['ours'] / rps['static']) if rps.get('static') else 'n/a',
            errors))


if __name__ == '__main__':
    main()
