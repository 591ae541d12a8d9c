# A remote-write buffer kept in a file (flash on a board), so a board that resets while its
# receiver is away loses none of the samples it had taken, and a full volume, a failed write or
# a power cut loses only what it must, counted.
#
# Imported on: CPython, MicroPython, CircuitPython (only with RemoteWriter(path=...)).
# The file is a ring of at most max_bytes (it never needs more room than that: nothing is
# copied, there is no temporary file). Records are written one after another; when the next
# does not fit before max_bytes, a WRAP record says "go on at 0" and the oldest records are
# overwritten (their samples counted as dropped, reason buffer_full). Each record is:
#
#     header (20 B): b'PX', kind, 0, seq (uint32), payload length, samples, crc32 of the above
#     payload: one TimeSeries per sample (records concatenate into a valid WriteRequest)
#     trailer (4 B): crc32 of the payload, chained from the header's
#
# seq grows by one per record, of every kind. Kinds: DATA (a snapshot), ACK (its `samples`
# field is the seq of the last DATA record a receiver took: it and everything before it is
# sent), WRAP. Opening a file finds the newest record (the highest seq: the next record goes
# after it) and walks the chain from there, around the ring, skipping bytes that are no record
# (a record cut by a power loss or partly overwritten: the crc of a header tells). A record
# whose header is whole but whose payload is not (zeroed or torn by a power cut) is left out
# of what is sent and counted (reason corrupt) when its batch goes. A write that fails leaves
# the ring as it was (the next record goes where it would have) and counts its snapshot
# (reason write_failed); a volume that is full before the file reaches max_bytes makes the
# ring that much smaller. A writer opens whatever the file or the volume holds: what is no
# record is skipped, and a file that cannot be opened is tried again at the next snapshot.
#
# What a reset can do: a batch the receiver took whose ACK was not written yet is sent again
# (remote write receivers take the same samples twice without harm); records a snapshot had to
# overwrite are counted as dropped before they are overwritten, so a reset in that write may
# leave some of them to be sent after all.
import struct

try:
    from binascii import crc32
except ImportError:  # ports without binascii.crc32
    from zlib import crc32

from .remote_encode import raw_length, write_series

_STEP = 512
_HEAD = '<2sBxIIII'
HDR = 20                 # header bytes; a record is HDR + payload + 4
MAGIC = b'PX'
DATA, ACK, WRAP = 1, 2, 3
ENOSPC = 28


class FileBuffer:
    # Snapshots in a file at `path`, at most max_bytes of it. lost(reason, samples) is
    # called for every sample it drops: buffer_full, corrupt, write_failed.

    def __init__(self, path, max_bytes=65536, lost=None):
        self.path = path
        self.max_bytes = max_bytes
        self.lost = lost or (lambda reason, n: None)
        self.f = None
        self._buf = bytearray(_STEP)  # reads
        self._out = bytearray()       # a record's payload on its way to the file
        self.records = self.held = self.size = 0  # unsent DATA records, samples, bytes
        self.head = self.tail = self.end = 0      # oldest unsent, next write, file length
        self.seq = self.acked = 0
        self._batch = None
        self._cap = None              # where the ring ends when the volume filled first
        try:
            self._open()
        except OSError:
            self._close()  # tried again at the next snapshot

    def __len__(self):
        return self.records

    def _close(self):
        if self.f is not None:
            try:
                self.f.close()
            except OSError:
                pass
        self.f = None
        self.records = self.held = self.size = 0

    # -- reading -----------------------------------------------------------------------
    def _header(self, p):
        # (kind, seq, payload length, samples) of the record at p, or None if none is.
        if p + HDR + 4 > self.end:
            return None
        f = self.f
        f.seek(p)
        h = f.read(HDR + 4)
        if len(h) < HDR + 4 or h[:2] != MAGIC:
            return None
        m, kind, seq, ln, n, c = struct.unpack(_HEAD, h[:HDR])
        if kind not in (DATA, ACK, WRAP) or crc32(h[:16]) & 0xffffffff != c or \
                p + HDR + ln + 4 > self.end or \
                (kind != DATA and h[HDR:] != struct.pack('<I', c)):  # not whole
            return None
        return kind, seq, ln, n

    def _find(self, p, stop):
        # The first record at or after p that starts before stop, or -1.
        buf = self._buf
        f = self.f
        while p + HDR <= stop:
            f.seek(p)
            k = f.readinto(buf)
            if not k:
                return -1
            i = buf.find(MAGIC, 0, k)
            while i >= 0:
                if p + i + HDR > stop:
                    return -1
                if self._header(p + i) is not None:
                    return p + i
                i = buf.find(MAGIC, i + 1, k)
            p += k - 1 if k > 1 else 1  # a magic split by the read is found next time
        return -1

    def _valid(self, q):
        # q if a record is there, else the next record along the ring; tail if none.
        t = self.tail
        if q == t or self._header(q) is not None:
            return q
        r = self._find(q, t if q < t else self.end)
        if r < 0 and q > t:
            r = self._find(0, t)
        return t if r < 0 else r

    def _next(self, p):
        # The place after the record at p, along the ring.
        h = self._header(p)
        if h is None:
            return self._valid(p)
        return self._valid(0 if h[0] == WRAP else p + HDR + h[2] + 4)

    def _data(self, p):
        # p, or the first unsent DATA record from p on (tail if none).
        for _ in range(self.end // (HDR + 4) + 2):  # bounded, whatever the file holds
            if p == self.tail:
                break
            h = self._header(p)
            if h is not None and h[0] == DATA and h[1] > self.acked:
                return p
            p = self._next(p)
        return self.tail

    def _open(self):
        try:
            f = open(self.path, 'r+b')
        except OSError:
            f = open(self.path, 'w+b')
        self.f = f
        self.end = f.seek(0, 2) or f.tell()
        # The newest record (the next goes after it), and the last seq a receiver took.
        p = 0
        newest = -1
        seq = acked = 0
        while True:
            p = self._find(p, self.end)
            if p < 0:
                break
            kind, s, ln, n = self._header(p)
            if kind == ACK and n > acked:
                acked = n
            if s > seq or newest < 0:
                seq = s
                newest = p
                self.tail = 0 if kind == WRAP else p + HDR + ln + 4
            p += HDR + ln + 4
        self.seq = seq
        self.acked = acked
        if newest < 0:
            self.tail = 0
            return
        # The oldest record still on the ring: the first after the newest, around.
        t = self.tail
        q = self._find(t, self.end) if t < self.end else -1
        if q < 0:
            q = self._find(0, t)
        if q < 0:
            return
        p = q  # (q may be t itself: the ring is full, its oldest record is where t is)
        for _ in range(self.end // (HDR + 4) + 2):
            kind, s, ln, n = self._header(p)
            if kind == DATA and s > acked:
                if not self.records:
                    self.head = p
                self.records += 1
                self.held += n
                self.size += HDR + ln + 4
            p = self._next(p)
            if p == t:
                break
        if not self.records:
            self.head = t

    def _payload(self, p, ln, each):
        # Pass the payload of the record at p (ln bytes) to each(view), a buffer at a time;
        # False if the file ends first.
        f = self.f
        f.seek(p + HDR)
        buf = self._buf
        while ln:
            k = f.readinto(memoryview(buf)[:min(ln, _STEP)])
            if not k:
                return False
            each(memoryview(buf)[:k])
            ln -= k
        return True

    def _intact(self, p, ln):
        # Whether the payload of the record at p matches its crc.
        f = self.f
        f.seek(p + 16)
        c = [struct.unpack('<I', f.read(4))[0]]

        def add(view):
            c[0] = crc32(view, c[0])
        if not self._payload(p, ln, add):
            return False
        t = f.read(4)
        return len(t) == 4 and struct.unpack('<I', t)[0] == c[0] & 0xffffffff

    # -- writing -----------------------------------------------------------------------
    def _lose(self, p):
        # Forget the oldest unsent record (at p); returns its samples.
        kind, seq, ln, n = self._header(p)
        self.records -= 1
        self.held -= n
        self.size -= HDR + ln + 4
        self.head = self._data(self._next(p)) if self.records else self.tail
        return n

    def _claim(self, a, b):
        # Drop (and count) the unsent records that start in a..b: they are overwritten.
        n = 0
        while self.records and a <= self.head < b:
            n += self._lose(self.head)
        if n:
            self.lost('buffer_full', n)

    def _put(self, kind, n, ln, body=None):
        # Write a record at tail (wrapping first if it does not fit before the end).
        size = HDR + ln + 4
        cap = self._cap if self._cap is not None else max(self.max_bytes, self.end)
        if self.tail and self.tail + size > cap:  # on at 0: what is after tail is gone
            self._claim(self.tail, 1 << 30)
            if self.tail + HDR + 4 <= max(cap, self.end):
                self._put_at(WRAP, 0, 0, None)
            self.tail = 0
            if not self.records:
                self.head = 0
        self._claim(self.tail, self.tail + size)
        self._put_at(kind, n, ln, body)

    def _w(self, data):
        if self.f.write(data) != len(data):  # a short write: the volume is full
            raise OSError(ENOSPC)

    def _put_at(self, kind, n, ln, body):
        f = self.f
        seq = self.seq + 1
        h = bytearray(struct.pack(_HEAD, MAGIC, kind, seq, ln, n, 0))
        c = crc32(memoryview(h)[:16]) & 0xffffffff
        struct.pack_into('<I', h, 16, c)
        f.seek(self.tail)
        self._w(h)
        if body is not None:
            buf = self._out  # (not _buf: the reads use that one)
            buf[:] = b''     # (what a failed write left in it)
            crc = [c]

            def w(data, pos=0, end=None):
                buf.extend(data if end is None else memoryview(data)[pos:end])
                if len(buf) >= _STEP:
                    crc[0] = crc32(buf, crc[0])
                    self._w(buf)
                    buf[:] = b''
            body(w)
            c = crc32(buf, crc[0]) & 0xffffffff
            self._w(buf)
            buf[:] = b''
        self._w(struct.pack('<I', c & 0xffffffff))
        f.flush()
        at = self.tail
        self.seq = seq
        self.tail = at + HDR + ln + 4
        if self.tail > self.end:
            self.end = self.tail
        if not self.records:
            self.head = at if kind == DATA else self.tail

    def add(self, snap):
        # Append one snapshot. False if it could not be kept (counted as dropped).
        n = len(snap[0])
        ln = raw_length((snap,))
        if HDR + ln + 4 > self.max_bytes:
            self.lost('buffer_full', n)
            return False
        self._cap = None
        for _ in range(2):
            try:
                if self.f is None:
                    self._open()
                self._put(DATA, n, ln, lambda w: write_series((snap,), w))
                self.records += 1
                self.held += n
                self.size += HDR + ln + 4
                return True
            except OSError as e:
                grew = self.tail + HDR + ln + 4 > self.end
                self._spoil()
                if not (e.args and e.args[0] == ENOSPC and grew and self.f is not None) or \
                        self.tail < HDR + ln + 4:
                    break
                self._cap = self.tail  # the volume is full: the ring ends here
        self.lost('write_failed', n)
        return False

    def _spoil(self):
        # After a failed write: the record begun at tail is made no record (if the volume
        # lets us), and the file's length is read again.
        try:
            self.f.seek(self.tail)
            self.f.write(b'\0\0')
            self.f.flush()
            self.end = max(self.end, self.f.seek(0, 2) or self.f.tell())
        except (OSError, AttributeError):
            pass

    # -- sending -----------------------------------------------------------------------
    def batch(self, most):
        # (records, samples, raw bytes, write(w)) for the oldest records holding at most
        # `most` samples (at least one record). Records whose payload is not intact are left
        # out of it (and counted when the batch is dropped).
        k = n = raw = 0
        bad = []
        p = self.head
        while k < self.records:
            kind, seq, ln, m = self._header(p)
            if k and n + m > most:
                break
            try:
                ok = self._intact(p, ln)
            except OSError:
                ok = False
            if ok:
                n += m
                raw += ln
            else:
                bad.append(p)
            k += 1
            last = p
            p = self._data(self._next(p))
        self._batch = (k, bad, last)
        return k, n, raw, lambda w: self._send(k, bad, w)

    def _send(self, k, bad, w):
        # The payloads of the first k records but the bad ones, through w(buf, 0, n).
        p = self.head
        for _ in range(k):
            if p not in bad and not self._payload(p, self._header(p)[2],
                                                  lambda v: w(v, 0, len(v))):
                raise OSError(5, 'remote write buffer file shrank')
            p = self._data(self._next(p))

    def drop(self, k):
        # The oldest k records are done with (sent, or refused by the receiver).
        bad = ()
        if self._batch is not None and self._batch[0] == k:
            bad = self._batch[1]
        self._batch = None
        n = seq = 0
        for _ in range(k):
            p = self.head
            h = self._header(p)
            seq = h[1]
            if p in bad:
                n += h[3]
            self._lose(p)
        if n:
            self.lost('corrupt', n)
        self.acked = seq
        try:
            self._cap = None
            self._put(ACK, seq, 0)
        except OSError:  # sent again after a reset: receivers take that
            self._spoil()
