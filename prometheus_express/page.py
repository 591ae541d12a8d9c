# The page: its formats (text 0.0.4 and OpenMetrics 1.0, and which one an Accept header asks
# for) and its writer.
#
# Imported on: CPython, MicroPython, CircuitPython (with the package).
#
# `page(registry, write, om)` is a generator: it writes the page in small pieces (one line at a
# time) through write() and yields whenever the output it fills reached a limit, so a server
# can fill a buffer, send it, and resume the page later (a client whose socket is full keeps
# its place). Our metrics write their own lines from their children (metrics.py, _rows);
# Metric families from custom collectors, target_info and ?name[]= views are written by
# familytext.py, loaded when a page has one. The whole page at once (generate_latest & co.) is
# in exposition.py.
from ._format import CPYTHON, CREATED, Collector, escape_name, header

if CPYTHON:  # unchanged metrics' text kept and written again (cpython_rows.py)
    from .cpython_rows import kept_text as _kept

CONTENT_TYPE_PLAIN_0_0_4 = 'text/plain; version=0.0.4; charset=utf-8'
CONTENT_TYPE_PLAIN_1_0_0 = 'text/plain; version=1.0.0; charset=utf-8'
CONTENT_TYPE_LATEST = CONTENT_TYPE_PLAIN_1_0_0
CONTENT_TYPE_OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8'


def negotiate(accept_header):
    # (openmetrics?, content type, escaping) for an Accept header, as prometheus_client
    # chooses: escaping (allow-utf-8, underscores, dots, values) only with a version >= 1.
    for accepted in (accept_header or '').split(','):
        toks = accepted.split(';')
        mime = toks[0].strip()
        if mime in ('application/openmetrics-text', 'text/plain'):
            v = ''
            esc = None
            for t in toks[1:]:
                t = t.strip()
                if t[:8] == 'version=' and not v:
                    v = t[8:]
                elif t[:9] == 'escaping=' and esc is None:
                    esc = t[9:]
            if esc not in ('allow-utf-8', 'dots', 'values'):
                esc = 'underscores'
            om = mime[0] == 'a'
            if om and not v:
                return True, CONTENT_TYPE_OPENMETRICS, 'underscores'
            if v and v.split('.')[0].isdigit() and int(v.split('.')[0]) >= 1:
                return om, '%s; version=%s; charset=utf-8; escaping=%s' % (
                    mime, v if om else '1.0.0', esc), esc
    return False, CONTENT_TYPE_PLAIN_0_0_4, 'underscores'


def _head(w, c, ns, kind):
    # A metric's header lines: kind 0 text, 1 text `_created`, 2 OpenMetrics.
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


def plain(c, esc, om):
    # Whether our metric c is written from its children (else through collect()): always
    # for underscores, and for allow-utf-8 when its names are of the classic character set;
    # not in OpenMetrics once it has exemplars.
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
    # Generator: write registry's page through w(str), yielding whenever len(o) has reached
    # lim (o is what w fills: a buffer, or a list of pieces). esc: the escaping scheme for
    # names (None: underscores). registry: a CollectorRegistry, a view of one (?name[]=), or
    # anything with collect().
    ns = getattr(registry, '_ns', '')
    if getattr(registry, '_target_info', None):
        from .familytext import target_info  # extension: families' lines
        target_info(registry, w, ns, om, esc)
    for c in registry.collectors() if hasattr(registry, 'collectors') else (registry,):
        if isinstance(c, Collector) and plain(c, esc, om):
            text = _kept(c, ns, om, _head) if CPYTHON else None
            if text is None:  # its header and lines (and the text format's `_created` family)
                _head(w, c, ns, 2 if om else 0)
                yield from c._rows(w, ns, om, o, lim)
                if not om and CREATED[0] and c._has_created:
                    yield from c._created_rows(w, ns, o, lim, _head)
            else:
                w(text)
        else:
            from .familytext import write  # extension: families' lines
            for m in c.collect():
                write(m, w, getattr(c, '_ns_own', ns), om, esc)
        if len(o) >= lim:
            yield
    if om:
        w('# EOF\n')
