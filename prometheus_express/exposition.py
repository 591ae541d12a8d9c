"""Text 0.0.4 and OpenMetrics 1.0 writers, streamed through a write(str) callable.

Imported on: CPython, MicroPython, CircuitPython.

`page(registry, write, om)` is a generator: it writes the page in small pieces (a name, a
label value, a number) through write() and yields after each series, so a server can fill a
buffer, send it, and resume the page later (a client whose socket is full keeps its place).
`write_text`/`write_openmetrics` run it to the end; `generate_latest` joins the pieces into
bytes, as prometheus_client's does. Our metrics write from their children; any other
collector goes through collect() and familytext.py, with the same output rules.
"""
from ._format import CPYTHON, escape_help, escape_name, escape_value
from .registry import REGISTRY, Collector

CONTENT_TYPE_PLAIN_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8'
CONTENT_TYPE_PLAIN_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8'
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

# Text format: family types renamed from OpenMetrics (name suffix, type written).
_TEXT_TYPES = {'counter': ('_total', 'counter'), 'info': ('_info', 'gauge'),
               'stateset': ('', 'gauge'), 'gaugehistogram': ('', 'histogram'),
               'unknown': ('', 'untyped')}


def header(w, ns, name, doc, typ, text):
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


def _head(w, c, ns, kind):
    """A metric's header lines: kind 0 text, 1 text `_created`, 2 OpenMetrics."""
    if kind == 0:
        suffix, typ = _TEXT_TYPES.get(c._type, ('', c._type))
        header(w, ns, c._name + suffix, c._documentation, typ, True)
    elif kind == 1:
        header(w, ns, c._name + '_created', c._documentation, 'gauge', True)
    else:
        header(w, ns, c._name, c._documentation, c._type, False)
        if c._unit:
            w('# UNIT ' + ns + c._ename + ' ' + c._unit + '\n')


def _heads(c, ns):
    """CPython: the header texts made once and kept on the metric (boards write them anew
    each time: a board pays RAM for every string it keeps)."""
    h = getattr(c, '_heads', None)
    if h is None or h[0] != ns:
        h = [ns]
        for kind in (0, 1, 2):
            parts = []
            _head(parts.append, c, ns, kind)
            h.append(''.join(parts))
        c._heads = h
    return h


def page(registry, w, om, o=(), lim=1):
    """Generator: write registry's page through w(str), yielding whenever len(o) has reached
    lim (o is what w fills: a buffer, or a list of pieces)."""
    from . import metrics
    names = getattr(registry, '_name_set', None)  # a restricted view (?name[]=)
    base = getattr(registry, '_registry', registry)
    ns = getattr(base, '_ns', '')
    if getattr(registry, '_target_info', None):
        from .collection import target_info_metric
        from .familytext import write
        write(target_info_metric(registry), w, ns, om)
    if hasattr(base, 'collectors'):
        collectors = base.collectors()
    else:  # any collector may stand for a registry
        collectors = (base,)
    created = metrics._use_created and not om
    for c in collectors:
        sub_ns = ns
        if names is not None:
            from .collection import _Restricted, emitted
            want = emitted(c, ns) if isinstance(c, Collector) else ()
            n = len([x for x in want if x in names])
            if n == 0 and want:
                continue
            if n < len(want) or not want:
                c = _Restricted(c, names, ns)  # it names its samples itself
                sub_ns = ''
        if not isinstance(c, Collector):
            from .familytext import write
            for m in c.collect():
                write(m, w, sub_ns, om)
                if len(o) >= lim:
                    yield
            continue
        kind = 2 if om else 0
        if CPYTHON:
            h = _heads(c, ns)
            w(h[kind + 1])
        else:
            _head(w, c, ns, kind)
        for _ in c._rows(w, ns, om, o, lim):
            yield
        if created and c._has_created:
            if CPYTHON:
                head = lambda: w(h[2])  # noqa: E731
            else:
                head = lambda: _head(w, c, ns, 1)  # noqa: E731
            for _ in c._created_rows(w, ns, o, lim, head):
                yield
        if len(o) >= lim:
            yield
    if om:
        w('# EOF\n')


def write_text(registry, write):
    """Write the Prometheus text format 0.0.4 page for registry through write(str)."""
    for _ in page(registry, write, False):
        pass


def write_openmetrics(registry, write):
    """Write the OpenMetrics 1.0 page for registry through write(str), ending in # EOF."""
    for _ in page(registry, write, True):
        pass


def render_bytes(body):
    """Run body(write) and return all it wrote as one bytes object."""
    if CPYTHON:
        out = []
        body(out.append)
        return ''.join(out).encode('utf-8')
    buf = bytearray()
    body(buf.extend)  # a board's bytearray takes str: no bytes copy of each piece
    return bytes(buf)


def generate_latest(registry=REGISTRY):
    """The text format 0.0.4 page as UTF-8 bytes (prometheus_client.generate_latest)."""
    return render_bytes(lambda w: write_text(registry, w))


def generate_openmetrics(registry=REGISTRY):
    """The OpenMetrics 1.0 page as UTF-8 bytes (prometheus_client.openmetrics.exposition)."""
    return render_bytes(lambda w: write_openmetrics(registry, w))
