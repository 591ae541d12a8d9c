# A metric's lines: the template that writes a line's labels in name order, and the loops
# that write every child's line (rows: the hot loop of every scrape on a board; CPython's is in
# cpython_rows.py).
#
# Imported on: CPython, MicroPython, CircuitPython (with metrics.py).
from ._clock import CLOCK_SET_AFTER
from ._format import CPYTHON, CREATED, escape_name, fmt


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


def created_rows(self, w, ns, o, lim, head):
    # Text format: the `_created` lines, a gauge family after the metric's own, with its
    # header (head(w, self, ns, 1): page._head) before the first of them (on a board whose
    # clock is unset there are none).
    for _, c in self._each():
        if c._c > CLOCK_SET_AFTER:
            break
    else:
        return
    name = ns + self._ename + '_created'
    head(w, self, ns, 1)
    for k, c in self._each():
        if c._c > CLOCK_SET_AFTER:
            w(name)
            w(labels_text(self._lt, k))
            w(fmt(c._c))
            w('\n')
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
        from .cpython_rows import cpython_rows  # extension: CPython's render loop
        yield from cpython_rows(self, w, name, created, t, fn, o, lim)
        return
    vals = self._vals
    esc = self._esc
    idx = t[1]
    p = t[3]  # the line's text around its label values
    first = name + p[0]
    one = len(idx) == 1
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
                    for j in range(len(idx)):
                        w(k[idx[j]])
                        w(p[j + 1])
                w(fmt(v))
                w('\n')
                if created and c._c > CLOCK_SET_AFTER:  # OpenMetrics: after _total
                    w(created)
                    w(labels_text(t, k))
                    w(fmt(c._c))
                    w('\n')
                if len(o) >= lim:
                    yield
