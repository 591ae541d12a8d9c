"""Our metrics' lines on CPython, where RAM is plenty (boards never load this): each key's
`{labels} ` text is made once and kept (a pure function of the key, so a kept one is never
wrong), lines are written as str pieces joined once, and a Counter's or Gauge's whole text is
kept and written again while nothing it was written from changed (kept_text).

Imported on: CPython only (the render loop and the kept text there).
"""
from itertools import repeat
from operator import is_

from ._format import CREATED, fmt


def _label_text(m, k):
    """The `{labels} ` text of m's child for key k, made once (m._labs keeps it)."""
    labs = m._labs
    if labs is None:
        labs = m._labs = {}
    lab = labs.get(k)
    if lab is None:
        t = m._lt
        esc = m._esc
        e = esc.get(k, k) if esc else k
        lab = labs[k] = t[0] % (e if t[2] else tuple([e[j] for j in t[1]]))
    return lab


def cpython_rows(self, w, name, created, t, fn, o, lim):
    """MetricWrapperBase._rows on CPython."""
    for chunk in self._chunks():
        for i in range(0, len(chunk), 2):
            lab = _label_text(self, chunk[i])
            c = chunk[i + 1]
            w(name)
            w(lab)
            w(fmt(c._get() if fn else c._v))
            w('\n')
            if created:
                w(created)
                w(lab)
                w(fmt(c._c))
                w('\n')
            if len(o) >= lim:
                yield


# A family of more children than this is written as it is sent, a buffer at a time, as on
# boards (its text would hold the loop for one render and take one large string).
CACHED_CHILDREN = 10000


def kept_text(c, ns, om, head):
    """A Counter's or Gauge's text as page.page writes it (header, lines, `_created`
    lines), kept with what it was written from: its children and their values, compared by
    identity (a value set again is a new object, and -0.0 is not 0.0). While they are the
    same objects the kept text is returned again (a scrape of an unchanged page renders
    nothing); when some changed, only their lines are written again. None for what is
    written as on boards, a buffer at a time (page.page): functions (set_function),
    the other types, families of more than CACHED_CHILDREN. head(w, c, ns, kind) writes a
    header as page.page does.

    c._pc, what is kept: (format, keys, children, values, created, text, headers, lines,
    `_created` lines, line starts); the last four only while the children are the same."""
    if c._type not in ('counter', 'gauge') or c._fn is not None or c._fns:
        return None
    if c._kids is None:
        keys, kids = [()], [c]
    else:
        if '_exp' in c.__dict__:  # (expire=: its listing sweeps its silent children first;
            c._chunks()           # staleness.py, which programs without it never load)
        with c._klock:
            d = c._kids[0]
            keys, kids = list(d), list(d.values())
        if len(keys) > CACHED_CHILDREN:
            return None
    vals = [k._v for k in kids]
    made = [k._c for k in kids] if c._has_created else vals
    fmt_key = (ns, om, CREATED[0])
    kept = c._pc
    if kept is not None and kept[0] != fmt_key:
        kept = None  # another format's: nothing of it fits
    if kept is not None and kept[2] == kids and kept[1] == keys:
        if all(map(is_, kept[3], vals)) and all(map(is_, kept[4], made)):
            return kept[5]
    elif kept is not None:
        kept = kept[:7]  # (its headers still fit; its lines are of other children)
    c._pc = kept = _text(c, ns, om, keys, kids, vals, made, head, fmt_key, kept)
    return kept[5]


def _text(c, ns, om, keys, kids, vals, made, head, fmt_key, kept):
    """What kept_text keeps: c's text, a line whose value is the very one kept's line was
    written from being kept's line."""
    if kept is None:  # the header, and the text format's `_created` header
        heads = (_written(head, c, ns, 2 if om else 0),
                 _written(head, c, ns, 1) if not om and CREATED[0] and c._has_created else '')
    else:
        heads = kept[6]
    if kept is not None and len(kept) > 7:  # the same children: their lines may be kept
        was, made_was, old, old_made, starts = kept[3], kept[4], kept[7], kept[8], kept[9]
    else:
        was = old = made_was = old_made = repeat(_NOTHING)
        name = ns + c._ename
        starts = (_starts(c, name + '_total' if c._type == 'counter' else name, keys),
                  _starts(c, name + '_created', keys) if c._has_created and CREATED[0] else ())
    lines = _lines(starts[0], vals, was, old)
    made_lines = _lines(starts[1], made, made_was, old_made)
    if om and made_lines:  # OpenMetrics: each `_created` line after its `_total`
        text = heads[0] + ''.join([x for pair in zip(lines, made_lines) for x in pair])
    else:
        text = heads[0] + ''.join(lines)
        if heads[1] and made_lines:  # (no `_created` header without a line under it)
            text += heads[1] + ''.join(made_lines)
    return fmt_key, keys, kids, vals, made, text, heads, lines, made_lines, starts


_NOTHING = object()


def _written(head, c, ns, kind):
    """What head(w, c, ns, kind) writes, as one str."""
    a = []
    head(a.append, c, ns, kind)
    return ''.join(a)


def _starts(c, name, keys):
    """`name{labels} ` of each child's line."""
    return [name + _label_text(c, k) for k in keys]


def _lines(starts, vals, was, old):
    """Each child's line, taken from old where its value is the one it was written from
    (was). (A float's text as fmt writes it, inline: the common case.)"""
    return [o if v is w else p + (repr(v) if type(v) is float and -1000000.0 < v < 1000000.0
                                  else fmt(v)) + '\n'
            for p, v, w, o in zip(starts, vals, was, old)]
