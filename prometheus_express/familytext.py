# Text 0.0.4 and OpenMetrics lines for Metric families: custom collectors, target_info, our
# metrics seen through a ?name[]= view or with exemplars (exposition.page calls these).
#
# Imported on: CPython, MicroPython, CircuitPython (when a page has such a family).
from ._format import escape_name, fmt, header, labelstr
from .collection import target_info_metric

_TEXT_SPLIT = ('_created', '_gsum', '_gcount')  # moved to gauge families of their own


def _plain_label(k):
    return escape_name(k, False)


def _namers(esc):
    # (metric name, label name) writers for escaping scheme esc (None: underscores).
    if esc is None or esc == 'underscores':
        return escape_name, _plain_label
    from .escaping import escape_label_name, escape_metric_name  # extension: other schemes
    return (lambda n: escape_metric_name(n, esc)), (lambda k: escape_label_name(k, esc))


def _sample_line(w, ns, s, om, namers):
    # One sample's line; namers: _namers() of the page's escaping scheme.
    name, label = namers[:2]
    n = name(ns + s[0])
    labels = labelstr(sorted(s[1].items()), label) if s[1] else ''
    if n[:1] == '"':  # allow-utf-8 and a name outside the classic set: inside the braces
        w('{' + n + (',' + labels[1:] if labels else '}') + ' ')
    else:
        w(n + labels + ' ')
    w(fmt(s[2]))
    ts = s[3]
    if ts is not None:
        w(' ' + (str(ts) if om else '%d' % int(float(ts) * 1000)))
    ex = s[4] if om and len(s) > 4 else None
    if ex is not None:
        t = namers[2]
        if not (s[0].endswith('_total') if t == 'counter' else s[0].endswith('_bucket') or
                t == 'histogram' and namers[3] == s[0] if t in ('histogram', 'gaugehistogram')
                else False):  # as prometheus_client's OpenMetrics writer refuses them
            raise ValueError('Metric %s has exemplars, but is not a histogram bucket or '
                             'counter' % namers[3])
        w(' # ' + labelstr(sorted(ex[0].items()), str) + ' ' + fmt(ex[1]) +
          ('' if ex[2] is None else ' ' + str(ex[2])))
    w('\n')


_TEXT_TYPES = {'counter': ('_total', 'counter'), 'info': ('_info', 'gauge'),
               'stateset': ('', 'gauge'), 'gaugehistogram': ('', 'histogram'),
               'unknown': ('', 'untyped')}


def target_info(registry, w, ns, om, esc=None):
    # The target_info family of a registry (or of a view that wants it).
    write(target_info_metric(registry), w, ns, om, esc)


def write(m, w, ns, om, esc=None):
    # Write family m (its header and samples) through w in either format; esc: the
    # escaping scheme for names (None: underscores). An error names the family, as
    # prometheus_client's does: the family is added to the exception's args.
    try:
        _write(m, w, ns, om, esc)
    except Exception as e:
        e.args = (e.args or ('',)) + (m,)
        raise


def _write(m, w, ns, om, esc):
    namers = _namers(esc) + (m.type, m.name)  # once a family, not once a line
    name = namers[0]
    if om:
        header(w, '', name(ns + m.name), m.documentation, m.type, False)
        if m.unit:
            w('# UNIT ' + name(ns + m.name) + ' ' + m.unit + '\n')
        for s in m.samples:
            _sample_line(w, ns, s, True, namers)
        return
    suffix, typ = _TEXT_TYPES.get(m.type, ('', m.type))
    header(w, '', name(ns + m.name + suffix), m.documentation, typ, True)
    split = {}
    for s in m.samples:
        for suf in _TEXT_SPLIT:
            if s[0] == m.name + suf:
                split.setdefault(suf, []).append(s)
                break
        else:
            _sample_line(w, ns, s, False, namers)
    for suf in sorted(split):
        header(w, '', name(ns + m.name + suf), m.documentation, 'gauge', True)
        for s in split[suf]:
            _sample_line(w, ns, s, False, namers)
