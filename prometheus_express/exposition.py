"""Text 0.0.4 and OpenMetrics 1.0 writers, streamed through a write(str) callable.

Imported on: CPython, MicroPython, CircuitPython.

`write_text(registry, write)` and `write_openmetrics(registry, write)` call write() with
small pieces (a prepared `name{labels} ` prefix, a number, a newline), so a server can stream a
page of any size through a fixed buffer; `generate_latest` joins them for callers that want
bytes, as prometheus_client's does. Our own metrics render from their prepared prefixes; any
other collector goes through collect() and the generic writer, with the same output rules.
"""
from ._format import (AS_BYTES, escape_help, escape_name, escape_value, fmt, labelstr,
                      prepared)
from .registry import REGISTRY

CONTENT_TYPE_PLAIN_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8'
CONTENT_TYPE_PLAIN_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8'
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

# Text format: family types renamed from OpenMetrics (name suffix, type written).
_TEXT_TYPES = {'counter': ('_total', 'counter'), 'info': ('_info', 'gauge'),
               'stateset': ('', 'gauge'), 'gaugehistogram': ('', 'histogram'),
               'unknown': ('', 'untyped')}
_TEXT_SPLIT = ('_created', '_gsum', '_gcount')  # moved to gauge families of their own


def _fast(c):
    """Our metrics render themselves from prepared prefixes."""
    return getattr(c, '_write', None) is not None and getattr(c, '_order', None) is not None


def _families(registry):
    """Yield (collector or None, family) in output order; family is None for fast metrics."""
    ti = getattr(registry, '_target_info', None)
    if ti:
        yield None, registry._target_info_metric()
    if not hasattr(registry, 'collectors'):  # a RestrictedRegistry or any other collector
        for m in registry.collect():
            yield None, m
        return
    for c in registry.collectors():
        if _fast(c):
            yield c, None
        else:
            for m in c.collect():
                yield None, m


def _header(w, ns, name, doc, typ, text):
    """Write a HELP and TYPE pair through w(str)."""
    name = ns + escape_name(name)
    w('# HELP ')
    w(name)
    w(' ')
    w(escape_help(doc) if text else escape_value(doc))
    w('\n# TYPE ')
    w(name)
    w(' ')
    w(typ)
    w('\n')


def _heads(c, ns):
    """A metric's header lines, made once and kept on it: (ns, text, text _created, OM)."""
    h = getattr(c, '_heads', None)
    if h is None or h[0] != ns:
        parts = []
        suffix, typ = _TEXT_TYPES.get(c._type, ('', c._type))
        _header(parts.append, ns, c._name + suffix, c._documentation, typ, True)
        text = ''.join(parts)
        parts = []
        _header(parts.append, ns, c._name + '_created', c._documentation, 'gauge', True)
        created = ''.join(parts)
        parts = []
        _header(parts.append, ns, c._name, c._documentation, c._type, False)
        if c._unit:
            parts.append('# UNIT ' + ns + escape_name(c._name) + ' ' + c._unit + '\n')
        h = c._heads = (ns, prepared(text), prepared(created), prepared(''.join(parts)))
    return h


def write_text(registry, write):
    """Write the Prometheus text format 0.0.4 page for registry through write(str)."""
    from .metrics import created_enabled
    w = write
    ns = getattr(registry, '_ns', '')
    created = created_enabled()
    for c, m in _families(registry):
        if c is None:
            _generic_text(m, w, ns)
            continue
        h = _heads(c, ns)
        w(h[1])
        c._write(w, ns, False)
        if created and c._has_created:
            c._write_created(w, ns, lambda: w(h[2]))


def write_openmetrics(registry, write):
    """Write the OpenMetrics 1.0 page for registry through write(str), ending in # EOF."""
    w = write
    ns = getattr(registry, '_ns', '')
    for c, m in _families(registry):
        if c is None:
            _generic_om(m, w, ns)
            continue
        w(_heads(c, ns)[3])
        c._write(w, ns, True)
    w('# EOF\n')


def _sample_line(w, ns, s, om):
    name = s[0]
    if s[1]:
        w(ns + escape_name(name) + labelstr(sorted(s[1].items())) + ' ')
    else:
        w(ns + escape_name(name) + ' ')
    w(fmt(s[2]))
    ts = s[3]
    if ts is not None:
        w(' ' + (str(ts) if om else '%d' % int(float(ts) * 1000)))
    w('\n')


def _generic_text(m, w, ns):
    suffix, typ = _TEXT_TYPES.get(m.type, ('', m.type))
    _header(w, ns, m.name + suffix, m.documentation, typ, True)
    split = {}
    for s in m.samples:
        for suf in _TEXT_SPLIT:
            if s[0] == m.name + suf:
                split.setdefault(suf, []).append(s)
                break
        else:
            _sample_line(w, ns, s, False)
    for suf in sorted(split):
        _header(w, ns, m.name + suf, m.documentation, 'gauge', True)
        for s in split[suf]:
            _sample_line(w, ns, s, False)


def _generic_om(m, w, ns):
    _header(w, ns, m.name, m.documentation, m.type, False)
    if m.unit:
        w('# UNIT ' + ns + escape_name(m.name) + ' ' + m.unit + '\n')
    for s in m.samples:
        _sample_line(w, ns, s, True)


def render_bytes(body):
    """Run body(write) and return all it wrote as one bytes object."""
    if AS_BYTES:  # boards: str and prepared bytes pieces, copied into one buffer
        buf = bytearray()
        body(buf.extend)
        return bytes(buf)
    out = []
    body(out.append)
    return ''.join(out).encode('utf-8')


def _page(writer, registry):
    return render_bytes(lambda w: writer(registry, w))


def generate_latest(registry=REGISTRY):
    """The text format 0.0.4 page as UTF-8 bytes (prometheus_client.generate_latest)."""
    return _page(write_text, registry)


def generate_openmetrics(registry=REGISTRY):
    """The OpenMetrics 1.0 page as UTF-8 bytes (prometheus_client.openmetrics.exposition)."""
    return _page(write_openmetrics, registry)


class ChunkWriter:
    """write(piece) for a streamed page: pieces (str, or bytes prepared on boards) gather
    into about `size` bytes, then send(bytes) gets them, as an HTTP chunk if chunked. Peak
    memory is one chunk. On boards the pieces are copied into one fixed buffer (no
    str-to-bytes copies); on CPython they are joined and encoded once per chunk.

    head: bytes sent before the first chunk. z: a zlib compressobj (gzip), CPython only."""

    def __init__(self, send, size=1460, chunked=False, head=None, z=None):
        self.send = send
        self.size = size
        self.chunked = chunked
        self.head = head
        self.z = z
        self.n = 0
        if AS_BYTES:
            self.buf = bytearray(size)
            self.mv = memoryview(self.buf)
        else:
            self.pieces = []

    def write(self, s):
        if AS_BYTES:
            if s.__class__ is str:
                s = memoryview(s)  # MicroPython: a view of the str's UTF-8 bytes, no copy
            k = len(s)
            if self.n + k > self.size:
                self.flush()
                if k > self.size:
                    self._out(s)
                    return
            self.mv[self.n:self.n + k] = s
            self.n += k
        else:
            self.pieces.append(s)
            self.n += len(s)
            if self.n >= self.size:
                self.flush()

    def flush(self, last=False):
        if AS_BYTES:
            data = self.mv[:self.n]
        else:
            data = ''.join(self.pieces).encode('utf-8')
            self.pieces = []
        self.n = 0
        if self.z is not None:
            data = self.z.compress(data)
            if last:
                data += self.z.flush()
        self._out(data)

    def _out(self, data):
        if self.head is not None:
            self.send(self.head)
            self.head = None
        if not len(data):
            return
        if self.chunked:
            self.send(('%x\r\n' % len(data)).encode())
            self.send(data)
            self.send(b'\r\n')
        else:
            self.send(data)


def _param(toks, key):
    for t in toks[1:]:
        if '=' in t:
            k, v = t.strip().split('=', 1)
            if k == key:
                return v
    return ''


def _version(v):
    try:
        return tuple([int(x) for x in v.split('.')])
    except ValueError:
        return ()


def negotiate(accept_header):
    """(openmetrics?, content type) for an Accept header, as prometheus_client chooses."""
    for accepted in (accept_header or '').split(','):
        toks = accepted.split(';')
        mime = toks[0].strip()
        if mime == 'application/openmetrics-text':
            v = _param(toks, 'version')
            if not v:
                return True, CONTENT_TYPE_OPENMETRICS
            if _version(v) >= (1, 0, 0):
                return True, ('application/openmetrics-text; version=%s; charset=utf-8; '
                              'escaping=underscores' % v)
        elif mime == 'text/plain':
            v = _param(toks, 'version')
            if v and _version(v) >= (1, 0, 0):
                return False, CONTENT_TYPE_LATEST + '; escaping=underscores'
    return False, CONTENT_TYPE_PLAIN_0_0_4


def choose_encoder(accept_header):
    """(encoder, content type) as prometheus_client.exposition.choose_encoder returns."""
    om, ctype = negotiate(accept_header)
    return (generate_openmetrics if om else generate_latest), ctype


def write_exposition(registry, write, openmetrics=False):
    """Stream a page in the chosen format through write(str)."""
    (write_openmetrics if openmetrics else write_text)(registry, write)
