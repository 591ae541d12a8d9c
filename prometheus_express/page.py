# The page: its formats (text 0.0.4 and OpenMetrics 1.0, and which one an Accept header asks
# for), its writer, and our metrics' lines: the template that writes a line's labels in name
# order, and the loops that write every child's line (rows: the hot loop of every scrape on a
# board; CPython's is in cpython_rows.py).
#
# Imported on: CPython, MicroPython, CircuitPython (with the package).
#
# `page(registry, write, om)` is a generator: it writes the page in small pieces (one line at a
# time) through write() and yields whenever the output it fills reached a limit, so a server
# can fill a buffer, send it, and resume the page later (a client whose socket is full keeps
# its place). Our metrics write their own lines from their children (rows below, their _rows);
# Metric families from custom collectors, target_info and ?name[]= views are written by
# familytext.py, loaded when a page has one. The whole page at once (generate_latest & co.) is
# in exposition.py.
from ._clock import CLOCK_SET_AFTER
from ._format import CPYTHON, CREATED, Collector, escape_name, fmt, header

if CPYTHON:  # CPython's render loop, and unchanged metrics' text kept and written again
    from .cpython_rows import cpython_rows, kept_text as _kept

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
                    yield from created_rows(c, w, ns, o, lim)
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


# (label names, extra label) -> their template: a board's metrics mostly have the same labels,
# and a board pays for every object.
_SHARED = {}


def template(names, extra=None):
    # (labels format, index, as is, pieces) to write a line's labels sorted by name, as
    # prometheus_client does: the format has one %s per label, filled with the key's values in
    # index order (-1 stands for the extra label: le for buckets, the state of an Enum); as is:
    # the key itself fills it (one label, or labels given in sorted order, and no extra);
    # pieces: the format's text around its %s. Made once per (names, extra): metrics with the
    # same label names share it.
    names = tuple(names)
    t = _SHARED.get((names, extra))
    if t is not None:
        return t
    ns = list(names)
    if extra:
        ns.append(extra)
    if not ns:
        return ' ', (), True, (' ',)
    order = []
    for i in range(len(ns)):
        order.append((ns[i], i))
    order.sort()  # by name (then place)
    idx = []
    f = '{'
    for n, i in order:
        idx.append(-1 if i == len(names) else i)
        f += escape_name(n, False) + '="%s",'
    f = f[:-1] + '} '
    idx = tuple(idx)
    t = _SHARED[(names, extra)] = (f, idx, idx == tuple(range(len(ns))) and not extra,
                                   tuple(f.split('%s')))
    return t


def line(w, name, lab, v):
    # Write one line: name, `{labels} ` text, value text.
    w(name)
    w(lab)
    w(v)
    w('\n')


def labels_text(t, k, x=None):
    # `{labels} ` of a line for key k (and the extra label's value x) by template t.
    if t[2]:
        return t[0] % k
    vs = []
    for j in t[1]:
        vs.append(x if j < 0 else k if k.__class__ is str else k[j])
    return t[0] % tuple(vs)


def created_rows(self, w, ns, o, lim):
    # Text format: the `_created` lines, a gauge family after the metric's own, with its
    # header before the first of them (on a board whose clock is unset there are none).
    for _, c in self._each():
        if c._c > CLOCK_SET_AFTER:
            break
    else:
        return
    name = ns + self._ename + '_created'
    _head(w, self, ns, 1)
    for k, c in self._each():
        if c._c > CLOCK_SET_AFTER:
            line(w, name, labels_text(self._lt, k), fmt(c._c))
        if len(o) >= lim:
            yield


def rows(self, w, ns, om, o, lim):
    # Write the lines of every child through w (OpenMetrics if om); yield whenever
    # len(o) reached lim (o is what w fills). The hot loop of every scrape.
    t = self._lt
    name = ns + self._ename
    created = None
    if self._type == 'counter':
        created = name + '_created' if om and CREATED[0] else None
        name += '_total'
    fn = self._fn is not None or self._fns
    if CPYTHON:
        yield from cpython_rows(self, w, name, created, t, fn, o, lim)
        return
    vals = self._vals
    esc = self._esc
    idx = t[1]
    p = t[3]  # the line's text around its label values
    first = name + p[0]
    one = len(idx) == 1
    # Locals for the loop: a builtin is looked up after the module's own names, and
    # MicroPython's table of those is nearly full (a miss walks most of it).
    js = range(len(idx))
    size = len
    for chunk in self._chunks():
        # range(): the lists never change length (a removal puts None in place)
        for i in range(0, len(chunk), 2):
            k = chunk[i]
            if k is not None:
                c = chunk[i + 1]
                if esc:
                    k = esc.get(k, k)
                v = c._get() if fn else c._v
                if v is None:
                    v = c._i
                    v = vals[v >> 4][v & 15]
                # The line piece by piece: a board's buffer takes each str as it is, where a
                # formatted line would be garbage (a page of them made the server collect
                # after every scrape of 100 series) and would need a block of its size.
                w(first)
                if one:
                    w(k)
                    w(p[1])
                else:
                    for j in js:
                        w(k[idx[j]])
                        w(p[j + 1])
                w(fmt(v))
                w('\n')
                if created and c._c > CLOCK_SET_AFTER:  # OpenMetrics: after _total
                    line(w, created, labels_text(t, k), fmt(c._c))
                if size(o) >= lim:
                    yield
