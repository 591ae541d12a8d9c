# The remote write 1.0 wire format, written as a stream: protobuf WriteRequest pieces and the
# snappy block framing around them, with every length known before the first byte is sent.
#
# Imported on: CPython, MicroPython, CircuitPython (with remote_write.py).
#
# A snapshot is (keys, data): keys a list of label sets, each already encoded as the Label
# fields of a TimeSeries (bytes); data a bytearray holding the timestamp in ms (int64, 8 bytes)
# and then one IEEE double (8 bytes) per key. Consecutive snapshots with the same keys list (the
# usual case: the same series every time) make one TimeSeries per series with all their
# samples; the samples of one series are so always in timestamp order.
#
# The body is a snappy block made of literals only (valid snappy; a board needs no compressor):
# varint(length) then chunks of at most 64 KB, each behind a 1-3 byte tag. Both lengths are
# computed first (Content-Length), then the pieces are encoded into one small reused buffer.
import struct

from ._format import CPYTHON

# The staleness marker: a NaN with this exact payload tells Prometheus a series ended.
STALE = b'\x02\x00\x00\x00\x00\x00\xf0\x7f'
_CHUNK = 65536


def vlen(n):
    # Bytes of n as a protobuf varint (as varint() writes it).
    if n < 0:
        n += 1 << 64
    k = 1
    while n > 0x7f:
        n >>= 7
        k += 1
    return k


def varint(n, out):
    if n < 0:
        n += 1 << 64  # int64 as protobuf writes it: two's complement
    while n > 0x7f:
        out.append((n & 0x7f) | 0x80)
        n >>= 7
    out.append(n)


def field(num, data, out):
    # A length-delimited protobuf field.
    varint(num << 3 | 2, out)
    varint(len(data), out)
    out.extend(data)


def label_key(pairs):
    # The Label fields of a TimeSeries for (name, value) pairs sorted by name.
    out = bytearray()
    for name, value in pairs:
        name = name.encode('utf-8')
        value = value.encode('utf-8')
        varint(1 << 3 | 2, out)
        varint(len(name) + len(value) + 2 + vlen(len(name)) + vlen(len(value)), out)
        field(1, name, out)
        field(2, value, out)
    return bytes(out)


def double(v):
    # v as 8 little-endian IEEE double bytes. A board's float is 32 bits, so a Python int
    # is converted here exactly (to 53 bits, as CPython's float() would round it).
    if CPYTHON or v.__class__ is not int or -16777216 <= v <= 16777216:
        return struct.pack('<d', v)
    sign = 0
    if v < 0:
        sign = 1 << 63
        v = -v
    e = len('%x' % v) * 4 - 1  # the exponent: find the top bit
    while not v >> e:
        e -= 1
    if e > 52:
        low = v & ((1 << (e - 52)) - 1)
        half = 1 << (e - 53)
        v >>= e - 52
        if low > half or (low == half and v & 1):  # round half to even, as float() does
            v += 1
            if v >> 53:
                v >>= 1
                e += 1
    else:
        v <<= 52 - e
    return struct.pack('<Q', sign | (e + 1023) << 52 | (v & ((1 << 52) - 1)))


def _ts(snap):
    return struct.unpack_from('<q', snap[1], 0)[0]


def _run(snaps, i, hi):
    # (end, bytes each sample takes in a series) of the run of snapshots from i that share
    # one keys list.
    keys = snaps[i][0]
    size = 0
    j = i
    while j < hi and snaps[j][0] is keys:
        size += 12 + vlen(_ts(snaps[j]))  # tag, length, 0x09 + double, 0x10 + ts
        j += 1
    return j, size


def raw_length(snaps, lo=0, hi=None):
    # Bytes of the WriteRequest for snaps[lo:hi] (before framing).
    hi = len(snaps) if hi is None else hi
    n = 0
    i = lo
    while i < hi:
        j, size = _run(snaps, i, hi)
        for k in snaps[i][0]:
            m = len(k) + size
            n += 1 + vlen(m) + m
        i = j
    return n


def body_length(raw):
    # Bytes of the snappy block holding raw bytes of data.
    n = vlen(raw) + raw
    while raw > 0:
        k = min(raw, _CHUNK)
        n += 1 if k <= 60 else 2 if k <= 256 else 3
        raw -= k
    return n


class Framer:
    # Takes the raw WriteRequest bytes in pieces and sends the snappy block through
    # send(bytes-like) in pieces of about `size` bytes, from one reused buffer (buf: one to
    # reuse, kept by the caller between requests).

    def __init__(self, raw, send, size=512, buf=None):
        self.left = raw      # raw bytes still to come
        self.room = 0        # bytes the current literal can still take
        self.send = send
        self.size = size
        self.buf = bytearray() if buf is None else buf
        self.buf[:] = b''
        varint(raw, self.buf)

    def write(self, data, pos=0, end=None):
        # Take data[pos:end].
        buf = self.buf
        if end is None:
            end = len(data)
        while pos < end:
            if not self.room:
                k = min(self.left, _CHUNK)
                if k <= 60:
                    buf.append((k - 1) << 2)
                elif k <= 256:
                    buf.append(60 << 2)
                    buf.append(k - 1)
                else:
                    buf.append(61 << 2)
                    buf.append((k - 1) & 0xff)
                    buf.append((k - 1) >> 8)
                self.room = k
            take = min(self.room, end - pos)
            buf.extend(data if take == len(data) else memoryview(data)[pos:pos + take])
            pos += take
            self.room -= take
            self.left -= take
            if len(buf) >= self.size:
                self.flush()

    def flush(self):
        if self.buf:
            self.send(self.buf)
            self.buf[:] = b''


def write_series(snaps, w, lo=0, hi=None):
    # Write the WriteRequest for snaps[lo:hi] through w(bytes-like), a few bytes at a time
    # (from one small buffer: nothing per sample is kept).
    hi = len(snaps) if hi is None else hi
    head = bytearray(16)
    i = lo
    while i < hi:
        j, size = _run(snaps, i, hi)
        keys = snaps[i][0]
        for x in range(len(keys)):
            k = keys[x]
            head[:] = b'\x0a'
            varint(len(k) + size, head)
            w(head)
            w(k)
            at = 8 + 8 * x
            for s in range(i, j):  # each snapshot's stamp is read again per series: a run's
                t = _ts(snaps[s])   # stamps kept in a list would cost a board an object each
                head[:] = b'\x12\x00\x09'
                head[1] = 10 + vlen(t)
                w(head)
                w(snaps[s][1], at, at + 8)
                head[:] = b'\x10'
                varint(t, head)
                w(head)
        i = j


def snappy_literal(data):
    # data as one snappy block of literals (bytes).
    out = bytearray()
    f = Framer(len(data), out.extend, 1 << 30)
    f.write(data)
    f.flush()
    return bytes(out)
