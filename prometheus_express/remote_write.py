# Prometheus remote write 1.0, with store-and-forward for boards that sleep or go offline.
#
# Imported on: CPython, MicroPython, CircuitPython (only when used).
#
#     w = RemoteWriter('http://prometheus:9090/api/v1/write', registry,
#                      labels={'job': 'greenhouse', 'instance': 'pico-1'})
#     while True:
#         read_sensors()
#         w.write()            # snapshot now; send the backlog, oldest first, if reachable
#         sleep(15)
#
# A snapshot records every sample of the registry as the page names it, stamped with the wall
# clock, as label sets encoded once (shared with the snapshot before when the series are the
# same) and 8 bytes per value. A series that was in the last snapshot and is gone gets a
# staleness marker. Snapshots wait in a bounded buffer (in RAM, or in a file that survives a
# reset: path=) while the receiver is away; when it is full the oldest go, and the samples
# dropped are counted in remote_write_dropped_samples_total{reason}. A flush streams the
# request to the socket as it encodes it (remote_encode.py): a few hundred bytes of heap beyond
# the buffered samples. 5xx and 429 are retried after a capped exponential back-off (or the
# receiver's Retry-After); other 4xx answers drop the batch (the receiver will never take it).
import gc
import struct

from ._clock import wall
from ._format import CPYTHON, escape_name
from .http_client import PushError, b64, request, split_url
from .metrics import Counter
from .registry import REGISTRY, Collector, CollectorRegistry
from .remote_encode import (STALE, Framer, body_length, double, label_key, raw_length,
                            write_series)
from ._timing import elapsed, ticks

CLOCK_SET_AFTER = 1577836800  # a clock behind 2020 was never set (a board after reset)
HEADERS = (('Content-Encoding', 'snappy'), ('Content-Type', 'application/x-protobuf'),
           ('X-Prometheus-Remote-Write-Version', '0.1.0'),
           ('User-Agent', 'prometheus_express/0.1.0 remote-write'))


class ClockNotSetError(ValueError):
    # The board's clock was never set: samples would be stamped in the year 2000.
    pass


def registry_samples(registry):
    # (name, label pairs, value) of every sample of the registry now, named as the page
    # names them by default (escaping=underscores: `soil.moisture` is soil_moisture on both
    # ways out). Our metrics are read from their children; custom collectors, views and
    # target_info through collect().
    if registry.__class__ is not CollectorRegistry or registry._target_info:
        for fam in registry.collect():
            for s in fam.samples:
                yield _escaped(s[0], s[1].items(), s[2])
        return
    from .metric_samples import children, samples  # extension: our metrics' samples
    ns = registry._ns
    for c in registry.collectors():
        if isinstance(c, Collector):
            names = [escape_name(n, False) for n in c._labelnames]
            for values, child in children(c):
                for suffix, extra, value in samples(c, child):
                    pairs = list(zip(names, values))
                    pairs.extend(extra.items())
                    yield ns + c._ename + suffix, pairs, value
        else:
            for fam in c.collect():
                for s in fam.samples:
                    yield _escaped(ns + s[0], s[1].items(), s[2])


def _escaped(name, pairs, value):
    return escape_name(name), [(escape_name(k, False), v) for k, v in pairs], value


class _Memory:
    # Snapshots held in RAM, oldest first, at most max_samples samples (but always the
    # newest snapshot).

    def __init__(self, max_samples, lost):
        self.snaps = []
        self.held = 0
        self.max_samples = max_samples
        self.lost = lost

    def __len__(self):
        return len(self.snaps)

    def add(self, snap):
        self.snaps.append(snap)
        self.held += len(snap[0])
        dropped = 0
        while self.held > self.max_samples and len(self.snaps) > 1:
            n = len(self.snaps.pop(0)[0])
            self.held -= n
            dropped += n
        if dropped:
            self.lost('buffer_full', dropped)
        return True

    def batch(self, most):
        n = k = 0
        for keys, data in self.snaps:
            if k and n + len(keys) > most:
                break
            n += len(keys)
            k += 1
        snaps = self.snaps  # no copy: a board may not have the room for one
        return k, n, raw_length(snaps, 0, k), lambda w: write_series(snaps, w, 0, k)

    def drop(self, k):
        for i in range(k):
            self.held -= len(self.snaps[i][0])
        del self.snaps[:k]


class RemoteWriter:
    # Snapshots a registry and sends snapshots with remote write, oldest first.
    #
    # url: the receiver (Prometheus: http://host:9090/api/v1/write). labels: added to every
    # series (job and instance, usually: remote write has no scrape target to add them); a
    # metric's own label of the same name wins, and labels with empty values are left out.
    # max_samples: what the RAM buffer holds before it drops the oldest snapshots (5000 on
    # CPython, 2000 on boards). path: keep the buffer in this file instead (it survives a
    # reset), at most max_bytes long. auth: ('user', 'password') for basic auth, or a bearer
    # token string. timeout: seconds per request. max_batch: samples per request.
    # max_backoff: the longest wait, in seconds, between retries of a failing receiver.
    # net: a Net (CircuitPython: socketpool).

    def __init__(self, url, registry=None, labels=None, max_samples=None, auth=None,
                 timeout=10, max_batch=2000, net=None, clock=wall, path=None,
                 max_bytes=65536, max_backoff=300):
        split_url(url)  # a bad scheme is an error now, not at the first flush
        self.url = url
        self.registry = registry if registry is not None else REGISTRY
        self.labels = {}
        for k, v in (labels or {}).items():  # checked now, not at every snapshot
            if not isinstance(k, str) or not k or k.startswith('__'):
                raise ValueError('Invalid label name for remote write: %r' % (k,))
            self.labels[k] = str(v)
        self.timeout = timeout
        self.max_batch = max_batch
        self.max_backoff = max_backoff
        self.net = net
        self.clock = clock
        self.headers = list(HEADERS)
        if isinstance(auth, tuple):
            self.headers.append(('Authorization', 'Basic ' + b64(
                ('%s:%s' % auth).encode('utf-8'))))
        elif auth:
            self.headers.append(('Authorization', 'Bearer ' + auth))
        self.dropped = Counter('remote_write_dropped_samples',
                               'Samples dropped before a receiver took them, by reason.',
                               ['reason'], registry=None)
        self.sent = Counter('remote_write_sent_samples', 'Samples the receiver accepted.',
                            registry=None)
        lost = self._lost
        if path is None:
            self.buffer = _Memory(max_samples or (5000 if CPYTHON else 2000), lost)
        else:
            from .remote_file import FileBuffer  # extension: the file buffer
            self.buffer = FileBuffer(path, max_bytes, lost)
        self._last = {}      # the label sets of the last snapshot: interned, and for staleness
        self._keys = None    # the last snapshot's keys list, shared while the series stay
        self._ms = None      # the last snapshot's timestamp
        self._retry_at = None
        self._backoff = 0
        self._chunk = 16384 if CPYTHON else 512
        self._out = bytearray(self._chunk + 64)  # the request's buffer, made once
        for m in (self.dropped, self.sent):
            try:
                self.registry.register(m)
            except ValueError:
                pass

    def _lost(self, reason, n):
        self.dropped.labels(reason).inc(n)

    @property
    def held(self):
        # Samples waiting to be sent.
        return self.buffer.held

    @property
    def pending(self):
        # Snapshots waiting to be sent.
        return len(self.buffer)

    def snapshot(self, timestamp=None):
        # Record every sample of the registry now (or at timestamp, seconds since the
        # epoch), plus a staleness marker for each series of the last snapshot that is gone.
        # Returns the samples recorded. A timestamp not after the last snapshot's is a
        # ValueError; a wall clock that stepped back skips the snapshot (counted as dropped,
        # reason out_of_order).
        t = self.clock() if timestamp is None else timestamp
        if t <= CLOCK_SET_AFTER:
            raise ClockNotSetError('wall clock not set (it says %d): set it (ntptime.settime()'
                                   ' or rtc) before taking samples' % int(t))
        ms = int(t * 1000)
        if self._ms is not None and ms <= self._ms:
            if timestamp is not None:
                raise ValueError('timestamp %r is not after the last snapshot (%r): the '
                                 'samples of a series must go in time order'
                                 % (timestamp, self._ms / 1000))
            self.dropped.labels('out_of_order').inc(len(self._keys))
            return 0
        last = self._last
        now = {}
        keys = []
        vals = []
        extra = self.labels
        for name, pairs, value in registry_samples(self.registry):
            d = dict(extra)
            for k, v in pairs:
                d[k] = v
            d['__name__'] = name
            k = label_key(sorted([kv for kv in d.items() if kv[1] != '']))
            k = last.get(k, k)
            if k in now:
                continue  # one series twice (two collectors claim it): the first counts
            vals.append(double(value))
            now[k] = k
            keys.append(k)
        gone = [k for k in last if k not in now]
        if gone:
            keys.extend(gone)
        elif keys == self._keys:
            keys = self._keys  # the same series as last time: share the list
        if not CPYTHON:
            gc.collect()  # the snapshot's long-lived block goes in the lowest hole
        data = bytearray(8 + 8 * len(keys))  # allocated once, at its size: no growing
        struct.pack_into('<q', data, 0, ms)
        at = 8
        for v in vals:
            data[at:at + 8] = v
            at += 8
        for k in gone:
            data[at:at + 8] = STALE
            at += 8
        self._ms = ms
        if not self.buffer.add((keys, data)):
            return 0  # not kept (counted): the next snapshot marks what this one would have
        self._keys = keys
        self._last = now
        return len(keys)

    def flush(self, force=False):
        # Send the backlog oldest-first. Returns the samples sent; stops at the first
        # failure (kept for a retry after a back-off that force=True skips, or dropped and
        # counted for a 4xx other than 429). Never raises for network errors.
        if not force and self._retry_at is not None and elapsed(self._retry_at) < self._backoff:
            return 0
        total = 0
        buf = self.buffer
        while len(buf):
            k, n, raw, write = buf.batch(self.max_batch)
            if not n:  # none of it intact (counted as corrupt)
                buf.drop(k)
                continue

            def body(send):
                f = Framer(raw, send, self._chunk, self._out)
                write(f.write)
                f.flush()
                if f.left:
                    raise ValueError('remote write body shorter than announced')
            try:
                request(self.url, 'POST', self.headers, (body_length(raw), body),
                        self.timeout, self.net, follow=5)
            except PushError as e:
                if e.status == 429 or e.status >= 500 or e.status < 400:  # (3xx: a loop)
                    self._failed(e.headers.get('retry-after'))
                    return total
                self.dropped.labels('rejected').inc(n)  # counted before it goes
                buf.drop(k)  # the receiver will never take this batch
                continue
            except Exception:
                self._failed(None)  # unreachable, reset, timed out: keep it for later
                return total
            buf.drop(k)
            self.sent.inc(n)
            total += n
            self._retry_at = None
            self._backoff = 0
        return total

    def _failed(self, retry_after):
        self._retry_at = ticks()
        b = min(max(self._backoff * 2, 1), self.max_backoff)
        if retry_after and retry_after.isdigit():  # seconds (an HTTP date: our own back-off)
            b = min(int(retry_after), 3600)
        self._backoff = b

    def write(self, timestamp=None):
        # snapshot() then flush(); returns the samples sent.
        self.snapshot(timestamp)
        return self.flush()
