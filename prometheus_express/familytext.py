"""Text 0.0.4 and OpenMetrics lines for Metric families (custom collectors, target_info), and
the page of anything that is not a plain CollectorRegistry: ?name[]= views, subclasses,
registries with target_info, a collector standing for a registry.

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


_TEXT_TYPES = {'counter': ('_total', 'counter'), 'info': ('_info', 'gauge'),
               'stateset': ('', 'gauge'), 'gaugehistogram': ('', 'histogram'),
               'unknown': ('', 'untyped')}


def page(registry, w, om, o, lim):
    """exposition.page for anything with collect() or collectors()."""
    from .collection import _Restricted, emitted, target_info_metric
    from .exposition import metric_rows
    from .registry import Collector
    names = getattr(registry, '_name_set', None)  # a restricted view (?name[]=)
    base = getattr(registry, '_registry', registry)
    ns = getattr(base, '_ns', '')
    if getattr(registry, '_target_info', None):
        write(target_info_metric(registry), w, ns, om)
    collectors = base.collectors() if hasattr(base, 'collectors') else (base,)
    for c in collectors:
        sub_ns = ns
        if names is not None:
            want = emitted(c, ns) if isinstance(c, Collector) else ()
            n = len([x for x in want if x in names])
            if n == 0 and want:
                continue
            if n < len(want) or not want:
                c = _Restricted(c, names, ns)  # it names its samples itself
                sub_ns = ''
        if isinstance(c, Collector):
            yield from metric_rows(c, w, ns, om, o, lim)
        else:
            for m in c.collect():
                write(m, w, sub_ns, om)
        if len(o) >= lim:
            yield
    if om:
        w('# EOF\n')


def write(m, w, ns, om):
    """Write family m (its header and samples) through w in either format."""
    from .exposition import header
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
