"""Text 0.0.4 and OpenMetrics 1.0 writers, streamed through a write(str) callable.

Imported on: CPython, MicroPython, CircuitPython.

`write_text(registry, write)` and `write_openmetrics(registry, write)` call write() with
small pieces (a prepared `name{labels} ` prefix, a number, a newline), so a server can stream a
page of any size through a fixed buffer; `generate_latest` joins them for callers that want
bytes, as prometheus_client's does. Our own metrics render from their prepared prefixes; any
other collector goes through collect() and the generic writer, with the same output rules.
"""
from ._format import CPYTHON, escape_help, escape_name, escape_value
from .registry import REGISTRY

# Boards build a page with bytearray.extend(str) (no bytes copy of each piece); CPython joins
# a list of str and encodes once, which is faster there.
_EXTEND = not CPYTHON

CONTENT_TYPE_PLAIN_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8'
CONTENT_TYPE_PLAIN_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8'
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

# Text format: family types renamed from OpenMetrics (name suffix, type written).
_TEXT_TYPES = {'counter': ('_total', 'counter'), 'info': ('_info', 'gauge'),
               'stateset': ('', 'gauge'), 'gaugehistogram': ('', 'histogram'),
               'unknown': ('', 'untyped')}


def _fast(c):
    """Our metrics render themselves from prepared prefixes."""
    return getattr(c, '_write', None) is not None and getattr(c, '_order', None) is not None


def _families(registry):
    """Yield (collector or None, family) in output order; family is None for fast metrics."""
    if getattr(registry, '_target_info', None):
        from ._slow import target_info_metric
        yield None, target_info_metric(registry)
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
        h = c._heads = (ns, text, created, ''.join(parts))
    return h


def write_text(registry, write):
    """Write the Prometheus text format 0.0.4 page for registry through write(str)."""
    from . import metrics
    w = write
    ns = getattr(registry, '_ns', '')
    created = metrics._use_created
    for c, m in _families(registry):
        if c is None:
            from ._slow import generic_text
            generic_text(m, w, ns)
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
            from ._slow import generic_om
            generic_om(m, w, ns)
            continue
        w(_heads(c, ns)[3])
        c._write(w, ns, True)
    w('# EOF\n')


def render_bytes(body):
    """Run body(write) and return all it wrote as one bytes object."""
    if _EXTEND:
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
