"""Text 0.0.4 and OpenMetrics lines for Metric families: custom collectors, target_info and
filtered views. Our own metrics never come here (they stream from their children).

Imported on: CPython, MicroPython, CircuitPython (when a page has such a family).
"""
from ._format import escape_name, fmt
from .collection import labelstr

_TEXT_SPLIT = ('_created', '_gsum', '_gcount')  # moved to gauge families of their own


def _sample_line(w, ns, s, om):
    w(ns + escape_name(s[0]))
    w(labelstr(sorted(s[1].items())) + ' ' if s[1] else ' ')
    w(fmt(s[2]))
    ts = s[3]
    if ts is not None:
        w(' ' + (str(ts) if om else '%d' % int(float(ts) * 1000)))
    w('\n')


def write(m, w, ns, om):
    """Write family m (its header and samples) through w in either format."""
    from .exposition import _TEXT_TYPES, header
    if om:
        header(w, ns, m.name, m.documentation, m.type, False)
        if m.unit:
            w('# UNIT ' + ns + escape_name(m.name) + ' ' + m.unit + '\n')
        for s in m.samples:
            _sample_line(w, ns, s, True)
        return
    suffix, typ = _TEXT_TYPES.get(m.type, ('', m.type))
    header(w, ns, m.name + suffix, m.documentation, typ, True)
    split = {}
    for s in m.samples:
        for suf in _TEXT_SPLIT:
            if s[0] == m.name + suf:
                split.setdefault(suf, []).append(s)
                break
        else:
            _sample_line(w, ns, s, False)
    for suf in sorted(split):
        header(w, ns, m.name + suf, m.documentation, 'gauge', True)
        for s in split[suf]:
            _sample_line(w, ns, s, False)
