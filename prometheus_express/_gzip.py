# gzip for answers, where the runtime can really compress: zlib on CPython, MicroPython's
# deflate on ports built with compression (ESP32/RP2 firmware can only decompress).
#
# Imported on: CPython, MicroPython, CircuitPython (when an answer or a push is compressed:
# only where the runtime can, _format.GZIP).


def _q(toks):
    # The q value among an Accept or Accept-Encoding entry's parameters (1.0 if none).
    for p in toks[1:]:
        p = p.strip()
        if p[:2] in ('q=', 'Q='):
            try:
                return float(p[2:])
            except ValueError:
                return 0.0
    return 1.0


def wants_gzip(header):
    # True if an Accept-Encoding header allows gzip (q above zero, any letter case).
    for entry in (header or '').split(','):
        toks = entry.split(';')
        if toks[0].strip().lower() in ('gzip', 'x-gzip', '*'):
            return _q(toks) > 0
    return False


def compressor():
    # An object with zlib.compressobj's compress(data) and flush() that writes gzip.
    try:
        import zlib
        if hasattr(zlib, 'compressobj'):
            return zlib.compressobj(6, zlib.DEFLATED, 31)
    except ImportError:
        pass
    import deflate
    import io

    class Gzip(io.IOBase):  # DeflateIO writes the compressed stream into this
        def __init__(self):
            self.out = bytearray()
            self.d = deflate.DeflateIO(self, deflate.GZIP, 10)

        def write(self, data):
            self.out.extend(data)
            return len(data)

        def compress(self, data):
            self.d.write(data)
            return self.take()

        def flush(self):
            self.d.close()
            return self.take()

        def take(self):
            out = bytes(self.out)
            self.out[:] = b''
            return out
    return Gzip()
