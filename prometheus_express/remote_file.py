"""A remote-write buffer kept in a file (flash on a board), so a board that resets while its
receiver is away loses none of the samples it had taken.

Imported on: CPython, MicroPython, CircuitPython (only with RemoteWriter(path=...)).

The file is a sequence of records, oldest first, one per snapshot:
    raw length (uint32 LE), samples (uint32 LE), then that many bytes of WriteRequest:
    one TimeSeries per sample, so records concatenate into a valid WriteRequest.
A record cut short by a reset is dropped when the file is opened. The file stays under
max_bytes: to make room the oldest records go (a quarter of max_bytes at a time, so the file
is not rewritten at every snapshot), and the writer counts their samples as dropped. Sent
records are cut from the front by copying the rest to PATH.tmp and renaming it.
"""
import os
import struct

from .remote_encode import raw_length, write_series

_STEP = 512


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _replace(tmp, path):
    try:
        os.rename(tmp, path)
    except OSError:  # FAT and some ports will not rename onto an existing file
        os.remove(path)
        os.rename(tmp, path)


def _copy(f, buf, n, w):
    """n bytes from f through w(buf, 0, length), a buffer at a time."""
    while n:
        k = f.readinto(memoryview(buf)[:min(len(buf), n)])
        if not k:
            raise OSError(5, 'remote write buffer file shrank')
        w(buf, 0, k)
        n -= k


class FileBuffer:
    def __init__(self, path, max_bytes=65536):
        self.path = path
        self.max_bytes = max_bytes
        tmp = path + '.tmp'
        if _exists(tmp):
            if _exists(path):
                os.remove(tmp)          # a copy that did not finish: the original stands
            else:
                os.rename(tmp, path)    # reset between remove and rename
        self.records = self.held = self.size = 0
        if _exists(path):
            end = self._scan()
            if end < os.stat(path)[6]:
                self._cut(0, end)       # a record cut short by a reset
        else:
            open(path, 'wb').close()

    def __len__(self):
        return self.records

    def _heads(self, f):
        """(offset, raw length, samples) of each whole record, from the start."""
        pos = 0
        f.seek(0)
        while True:
            h = f.read(8)
            if len(h) < 8:
                return
            raw, n = struct.unpack('<II', h)
            f.seek(pos + 8 + raw)
            yield pos, raw, n
            pos += 8 + raw

    def _oldest(self, stop):
        """(records, samples, end offset) of the oldest whole records, up to the first for
        which stop(records so far, samples so far, its samples, end so far, its end) is
        true."""
        k = n = end = 0
        with open(self.path, 'rb') as f:
            for pos, raw, m in self._heads(f):
                if stop(k, n, m, end, pos + 8 + raw):
                    break
                k += 1
                n += m
                end = pos + 8 + raw
        return k, n, end

    def _scan(self):
        size = os.stat(self.path)[6]
        self.records, self.held, self.size = self._oldest(
            lambda k, n, m, end, nxt: nxt > size)
        return self.size

    def add(self, snap):
        """Append one snapshot; returns the samples dropped to keep under max_bytes."""
        raw = raw_length((snap,))
        n = len(snap[0])
        if 8 + raw > self.max_bytes:
            return n
        dropped = 0
        if self.size + 8 + raw > self.max_bytes:
            dropped = self._shed(self.size + 8 + raw - self.max_bytes * 3 // 4)
        buf = bytearray(struct.pack('<II', raw, n))
        with open(self.path, 'ab') as f:
            def w(data, pos=0, end=None):
                buf.extend(data if end is None else memoryview(data)[pos:end])
                if len(buf) >= _STEP:
                    f.write(buf)
                    buf[:] = b''
            write_series((snap,), w)
            f.write(buf)
        self.records += 1
        self.held += n
        self.size += 8 + raw
        return dropped

    def _shed(self, need):
        """Drop the oldest records until `need` bytes are free; returns their samples."""
        k, n, end = self._oldest(lambda k, n, m, end, nxt: end >= need)
        self._forget(k, n, end)
        return n

    def batch(self, most):
        """(records, samples, raw bytes, write(w)) for the oldest records holding at most
        `most` samples (at least one record)."""
        k, n, end = self._oldest(lambda k, n, m, end, nxt: k and n + m > most)
        return k, n, end - 8 * k, lambda w: self._send(end, w)

    def _send(self, end, w):
        """The payloads of the records before `end`, through w(buffer, 0, length)."""
        buf = bytearray(_STEP)
        with open(self.path, 'rb') as f:
            pos = 0
            while pos < end:
                raw = struct.unpack('<II', f.read(8))[0]
                _copy(f, buf, raw, w)
                pos += 8 + raw

    def drop(self, k):
        """Forget the oldest k records."""
        self._forget(*self._oldest(lambda i, n, m, end, nxt: i == k))

    def _forget(self, k, n, end):
        self._cut(end, self.size)
        self.records -= k
        self.held -= n
        self.size -= end

    def _cut(self, start, end):
        """Keep bytes start..end of the file (a copy renamed over it)."""
        if start >= end:
            open(self.path, 'wb').close()
            return
        if start == 0 and end == self.size and end == os.stat(self.path)[6]:
            return
        tmp = self.path + '.tmp'
        with open(self.path, 'rb') as f, open(tmp, 'wb') as out:
            f.seek(start)
            _copy(f, bytearray(_STEP), end - start,
                  lambda b, a, k: out.write(memoryview(b)[a:k]))
        _replace(tmp, self.path)
