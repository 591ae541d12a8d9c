"""Prometheus remote write 1.0, with store-and-forward for boards that sleep or go offline.

Imported on: CPython, MicroPython, CircuitPython (only when used).

    w = RemoteWriter('http://prometheus:9090/api/v1/write', registry,
                     labels={'job': 'greenhouse', 'instance': 'pico-1'})
    while True:
        read_sensors()
        w.write()            # snapshot now; send the backlog, oldest first, if reachable
        sleep(15)

The WriteRequest protobuf is encoded by hand and compressed as a snappy block of literals
(valid snappy; a board needs no compressor). A snapshot holds every sample of the registry as
exposition would name it, stamped with the epoch-corrected wall clock. Snapshots wait in a
bounded buffer while the receiver is away; when it is full the oldest go, and the count of
samples dropped is itself a metric (remote_write_dropped_samples_total{reason}).
"""
import struct

from ._clock import wall

CLOCK_SET_AFTER = 1577836800  # a clock behind 2020 was never set (a board after reset)
from ._timing import elapsed, ticks
from .push import PushError, request

HEADERS = (('Content-Encoding', 'snappy'), ('Content-Type', 'application/x-protobuf'),
           ('X-Prometheus-Remote-Write-Version', '0.1.0'))


class ClockNotSetError(ValueError):
    """The board's clock was never set: samples would be stamped in the year 2000."""


# -- encoding ---------------------------------------------------------------------------------
def _varint(n, out):
    while n > 0x7f:
        out.append((n & 0x7f) | 0x80)
        n >>= 7
    out.append(n)


def _field(num, data, out):
    """A length-delimited protobuf field."""
    _varint(num << 3 | 2, out)
    _varint(len(data), out)
    out.extend(data)


def encode_series(labels, samples):
    """TimeSeries bytes: labels is a list of (name, value) sorted by name; samples a list
    of (value, timestamp_ms) in time order."""
    ts = bytearray()
    for name, value in labels:
        lab = bytearray()
        _field(1, name.encode('utf-8'), lab)
        _field(2, value.encode('utf-8'), lab)
        _field(1, lab, ts)
    for value, t in samples:
        s = bytearray(b'\x09')  # field 1, fixed64: the value as a double
        s.extend(struct.pack('<d', value))
        s.append(0x10)           # field 2, varint: the timestamp (int64, two's complement)
        _varint(t if t >= 0 else t + (1 << 64), s)
        _field(2, s, ts)
    return ts


def encode_write_request(series):
    """WriteRequest bytes for an iterable of (labels, samples) as encode_series takes them."""
    out = bytearray()
    for labels, samples in series:
        _field(1, encode_series(labels, samples), out)
    return out


def snappy_literal(data):
    """data as a valid snappy block made of literals only (no compression, no compressor)."""
    out = bytearray()
    _varint(len(data), out)
    mv = memoryview(data)
    pos = 0
    n = len(data)
    while pos < n:
        k = min(n - pos, 65536)
        if k <= 60:
            out.append((k - 1) << 2)
        elif k <= 256:
            out.append(60 << 2)
            out.append(k - 1)
        else:
            out.append(61 << 2)
            out.append((k - 1) & 0xff)
            out.append((k - 1) >> 8)
        out.extend(mv[pos:pos + k])
        pos += k
    return out


# -- the writer -------------------------------------------------------------------------------
def _series_of(registry, extra):
    """[(labels sorted by name, value)] for every sample the registry has now."""
    out = []
    for fam in registry.collect():
        for s in fam.samples:
            d = dict(extra)
            d.update(s[1])
            d['__name__'] = s[0]
            out.append((tuple(sorted(d.items())), s[2]))
    return out


class RemoteWriter:
    """Snapshots a registry and sends snapshots with remote write, oldest first.

    url: the receiver (Prometheus: http://host:9090/api/v1/write). labels: added to every
    series (job and instance, usually: remote write has no scrape target to add them).
    max_samples: what the buffer holds before it drops the oldest snapshots.
    auth: ('user', 'password') for basic auth, or a bearer token string. timeout: seconds
    per request. max_batch: samples per request. net: a Net (CircuitPython: socketpool).
    """

    def __init__(self, url, registry=None, labels=None, max_samples=5000, auth=None,
                 timeout=10, max_batch=2000, net=None, clock=wall):
        from .metrics import Counter
        from .registry import REGISTRY
        self.url = url
        self.registry = registry if registry is not None else REGISTRY
        self.labels = dict(labels or {})
        self.max_samples = max_samples
        self.timeout = timeout
        self.max_batch = max_batch
        self.net = net
        self.clock = clock
        self.headers = list(HEADERS) + [('User-Agent', 'prometheus_express remote_write')]
        if isinstance(auth, tuple):
            from .push import _b64
            self.headers.append(('Authorization', 'Basic ' + _b64(
                ('%s:%s' % auth).encode('utf-8'))))
        elif auth:
            self.headers.append(('Authorization', 'Bearer ' + auth))
        self.pending = []    # snapshots: (timestamp ms, [(labels, value)]), oldest first
        self.held = 0        # samples in pending
        self._keys = {}      # interned label tuples: repeated snapshots share them
        self._retry_at = None
        self._backoff = 0
        self.dropped = Counter('remote_write_dropped_samples',
                               'Samples dropped before a receiver took them, by reason.',
                               ['reason'], registry=None)
        self.sent = Counter('remote_write_sent_samples', 'Samples the receiver accepted.',
                            registry=None)
        for m in (self.dropped, self.sent):
            try:
                self.registry.register(m)
            except ValueError:
                pass

    def snapshot(self, timestamp=None):
        """Record every sample of the registry now (or at timestamp, seconds)."""
        t = self.clock() if timestamp is None else timestamp
        if t <= CLOCK_SET_AFTER:
            raise ClockNotSetError('wall clock not set (it says %d): set it (ntptime.settime()'
                                   ' or rtc) before taking samples' % int(t))
        keys = self._keys
        snap = []
        for labels, value in _series_of(self.registry, self.labels):
            k = keys.get(labels)
            if k is None:
                k = keys[labels] = labels
            snap.append((k, value))
        self.pending.append((int(t * 1000), snap))
        self.held += len(snap)
        while self.held > self.max_samples and len(self.pending) > 1:
            old = self.pending.pop(0)
            self.held -= len(old[1])
            self.dropped.labels('buffer_full').inc(len(old[1]))
        return len(snap)

    def _batch(self):
        """The oldest snapshots, up to max_batch samples (at least one snapshot)."""
        n = 0
        k = 0
        for ts, snap in self.pending:
            if k and n + len(snap) > self.max_batch:
                break
            n += len(snap)
            k += 1
        return k, n

    def _encode(self, snaps):
        series = {}
        order = []
        for ts, snap in snaps:
            for labels, value in snap:
                s = series.get(labels)
                if s is None:
                    s = series[labels] = []
                    order.append(labels)
                s.append((float(value), ts))
        return snappy_literal(encode_write_request([(labels, series[labels])
                                                    for labels in order]))

    def flush(self, force=False):
        """Send the backlog oldest-first. Returns the samples sent; stops at the first
        failure (kept for a retry after a back-off that force=True skips, or dropped and
        counted for a 4xx other than 429). Never raises for network errors."""
        if not force and self._retry_at is not None and elapsed(self._retry_at) < self._backoff:
            return 0
        total = 0
        while self.pending:
            k, n = self._batch()
            body = self._encode(self.pending[:k])
            try:
                request(self.url, 'POST', self.headers, bytes(body), self.timeout, self.net)
            except PushError as e:
                if e.status == 429 or e.status >= 500:
                    self._failed()
                    return total
                self._drop(k, n, 'rejected')  # the receiver will never take this batch
                continue
            except Exception:
                self._failed()  # unreachable, reset, timed out: keep it for later
                return total
            self._drop(k, n, None)
            self.sent.inc(n)
            total += n
            self._retry_at = None
            self._backoff = 0
        return total

    def _drop(self, k, n, reason):
        self.pending = self.pending[k:]
        self.held -= n
        if reason:
            self.dropped.labels(reason).inc(n)
        if not self.pending:
            self._keys = {}

    def _failed(self):
        self._retry_at = ticks()
        self._backoff = min(max(self._backoff * 2, 1), 300)

    def write(self, timestamp=None):
        """snapshot() then flush(); returns the samples sent."""
        self.snapshot(timestamp)
        return self.flush()
