"""Text 0.0.4 and OpenMetrics 1.0 writers, streamed through a write(str) callable.

Imported on: CPython, MicroPython, CircuitPython.

`page(registry, write, om)` is a generator: it writes the page in small pieces (one line at a
time) through write() and yields whenever the output it fills reached a limit, so a server
can fill a buffer, send it, and resume the page later (a client whose socket is full keeps
its place). The whole page at once (generate_latest, write_text, choose_encoder...) is in
generate.py, reached from here too. Our metrics write from their children; custom
collectors, target_info and ?name[]= views go through familytext.py.
"""
from . import metrics as _metrics
from ._format import CPYTHON, escape_name
from .registry import REGISTRY, Collector, CollectorRegistry

CONTENT_TYPE_PLAIN_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8'
CONTENT_TYPE_PLAIN_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8'
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8'


def header(w, ns, name, doc, typ, text):
    """Write a HELP and TYPE pair through w(str) for name as written (text: the 0.0.4
    format's HELP escaping)."""
    name = ns + name
    doc = doc.replace('\\', '\\\\').replace('\n', '\\n')
    w('# HELP %s %s\n# TYPE %s %s\n' % (name, doc if text else doc.replace('"', '\\"'),
                                         name, typ))


def _head(w, c, ns, kind):
    """A metric's header lines: kind 0 text, 1 text `_created`, 2 OpenMetrics."""
    t = c._type
    if kind == 2:
        header(w, ns, c._ename, c._documentation, t, False)
        if c._unit:
            w('# UNIT %s%s %s\n' % (ns, c._ename, c._unit))
    elif kind:
        header(w, ns, c._ename + '_created', c._documentation, 'gauge', True)
    else:
        header(w, ns, c._ename + ('_total' if t == 'counter' else '_info' if t == 'info' else ''),
               c._documentation, 'gauge' if t in ('info', 'stateset') else t, True)


def metric_rows(c, w, ns, om, o, lim):
    """Generator: one of our metrics, its header and lines (and the text format's
    `_created` family after it), yielding whenever len(o) reached lim."""
    _head(w, c, ns, 2 if om else 0)
    yield from c._rows(w, ns, om, o, lim)
    if not om and _metrics._use_created and c._has_created:
        yield from c._created_rows(w, ns, o, lim, lambda: _head(w, c, ns, 1))


def plain(c, esc, om):
    """Whether our metric c is written from its children (else through collect()): always
    for underscores, and for allow-utf-8 when its names are of the classic character set;
    not in OpenMetrics once it has exemplars."""
    if om and c._has_ex:
        return False
    if esc is None or esc == 'underscores':
        return True
    if esc != 'allow-utf-8' or c._ename != c._name or c._type == 'info':
        return False  # (an Info's label names are in its values)
    for n in c._labelnames:
        if escape_name(n, False) != n:
            return False
    return True


def page(registry, w, om, o=(), lim=1, esc=None):
    """Generator: write registry's page through w(str), yielding whenever len(o) has reached
    lim (o is what w fills: a buffer, or a list of pieces). esc: the escaping scheme for
    names (None: underscores)."""
    if registry.__class__ is not CollectorRegistry or registry._target_info:
        from .familytext import page as any_page  # views, subclasses, target_info
        yield from any_page(registry, w, om, o, lim, esc)
        return
    ns = registry._ns
    for c in registry.collectors():
        if isinstance(c, Collector) and plain(c, esc, om):
            yield from metric_rows(c, w, ns, om, o, lim)
        else:
            from .familytext import write
            for m in c.collect():
                write(m, w, ns, om, esc)
        if len(o) >= lim:
            yield
    if om:
        w('# EOF\n')


def __getattr__(name):  # generate_latest & co. (generate.py); on CPython MetricsHandler & co.
    if name in ('generate_latest', 'generate_openmetrics', 'write_text', 'write_openmetrics',
                'choose_encoder'):
        return getattr(__import__('prometheus_express.generate', None, None, ['x']), name)
    if CPYTHON and name[:2] != '__':
        from .dropin import find
        return find(name)
    raise AttributeError(name)
