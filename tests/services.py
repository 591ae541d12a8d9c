"""Start and stop the real Prometheus, Pushgateway and VictoriaMetrics (Debian packages) on
127.0.0.1."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

REQUIRED = os.environ.get('PROMEX_REQUIRE_ALL') == '1'


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stalled_reader(port, rcvbuf):
    """A client that asks for /metrics on 127.0.0.1:port with a small receive buffer and
    then never reads: the server's answer to it stalls once that buffer is full."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(('127.0.0.1', port))
    s.sendall(b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n')
    return s


def need(binary):
    """Skip (or, under .ci/run, fail) when a binary is missing."""
    path = shutil.which(binary)
    if path is None:
        if REQUIRED:
            raise AssertionError('%s is not installed' % binary)
        raise unittest.SkipTest('%s is not installed' % binary)
    return path


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


def wait_for(fn, timeout=30, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - not up yet
            last = e
        time.sleep(interval)
    raise AssertionError('timed out waiting (%r)' % (last,))


class Service:
    ready = '/-/ready'

    def __init__(self, args, port, log_name):
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix=log_name, suffix='.log', delete=False)
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = 'http://127.0.0.1:%d' % port
        try:
            wait_for(lambda: urllib.request.urlopen(self.url + self.ready, timeout=2).status == 200)
        except AssertionError:
            self.stop()
            raise AssertionError('%s did not start: %s' % (args[0], self.output()))

    def output(self):
        with open(self.log.name, errors='replace') as f:
            return f.read()[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Prometheus(Service):
    """prometheus scraping `targets` every second, with the remote-write receiver on."""

    def __init__(self, targets=(), port=None, storage=None, interval='1s', timeout='1s'):
        binary = need('prometheus')
        port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix='promexp-prom-')
        self.storage = storage or os.path.join(self.dir, 'data')
        cfg = os.path.join(self.dir, 'prometheus.yml')
        with open(cfg, 'w') as f:
            f.write('global:\n  scrape_interval: %s\n  scrape_timeout: %s\n'
                    'scrape_configs:\n  - job_name: board\n    static_configs:\n'
                    '      - targets: [%s]\n' % (interval, timeout,
                                                   ', '.join("'%s'" % t for t in targets)))
        Service.__init__(self, [binary, '--config.file=' + cfg,
                                '--storage.tsdb.path=' + self.storage,
                                '--web.listen-address=127.0.0.1:%d' % port,
                                '--web.enable-remote-write-receiver'], port, 'prometheus')

    def query(self, q, at=None):
        params = {'query': q}
        if at is not None:
            params['time'] = str(at)
        d = get_json(self.url + '/api/v1/query?' + urllib.parse.urlencode(params))
        return d['data']['result']

    def query_range(self, q, start, end, step='1s'):
        d = get_json(self.url + '/api/v1/query_range?' + urllib.parse.urlencode(
            {'query': q, 'start': str(start), 'end': str(end), 'step': step}))
        return d['data']['result']

    def stop(self):
        Service.stop(self)


class Pushgateway(Service):
    def __init__(self, port=None):
        binary = need('prometheus-pushgateway')
        port = port or free_port()
        Service.__init__(self, [binary, '--web.listen-address=127.0.0.1:%d' % port], port,
                         'pushgateway')


class VictoriaMetrics(Service):
    """victoria-metrics single-node: remote write at /api/v1/write, PromQL at /api/v1/query."""
    ready = '/health'

    def __init__(self, port=None, storage=None):
        binary = need('victoria-metrics')
        port = port or free_port()
        self.storage = storage or tempfile.mkdtemp(prefix='promexp-vm-')
        Service.__init__(self, [binary, '-storageDataPath=' + self.storage,
                                '-httpListenAddr=127.0.0.1:%d' % port,
                                '-search.latencyOffset=0s', '-search.disableCache',
                                '-loggerLevel=ERROR'], port, 'victoria-metrics')

    def flush(self):
        """Make what was just written searchable."""
        urllib.request.urlopen(self.url + '/internal/force_flush', timeout=5).read()

    def query(self, q, at=None):
        self.flush()
        return Prometheus.query(self, q, at)

    def export(self, match):
        """[(labels, [(ts ms, value)])] of the raw samples of series matching `match`."""
        self.flush()
        with urllib.request.urlopen(self.url + '/api/v1/export?' + urllib.parse.urlencode(
                {'match[]': match}), timeout=5) as r:
            lines = r.read().decode().splitlines()
        out = []
        for line in lines:
            d = json.loads(line)
            out.append((d['metric'], list(zip(d['timestamps'], d['values']))))
        return out
