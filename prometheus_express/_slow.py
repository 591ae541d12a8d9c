"""The slow paths, kept out of the modules every board imports: collect() of metrics and
registries, get_sample_value, the ?name[]= filter, target_info, remove_by_labels, and the
writer for custom collectors' Metric families.

Imported on: CPython, MicroPython, CircuitPython (on first use of any of those).
Children do not keep their label values (it saves a slot per series on a board); the parent's
dict maps label values to children, so these look them up there.
"""


def describe_names(registry, collector):
    """Series names a custom collector claims, from describe() (or collect(), if the
    registry auto-describes), as prometheus_client's registry finds them."""
    from .registry import _SUFFIXES
    desc = getattr(collector, 'describe', None)
    if desc is None and registry._auto_describe:
        desc = collector.collect
    if desc is None:
        return []
    result = []
    for m in desc():
        result.append(m.name)
        for suffix in _SUFFIXES.get(m.type, ()):
            result.append(m.name + suffix)
    return result


def check_mode(metric, mode):
    if metric._type != 'gauge':
        raise TypeError("__init__() got an unexpected keyword argument 'multiprocess_mode'")
    if mode not in ('all', 'liveall', 'min', 'livemin', 'max', 'livemax', 'sum', 'livesum',
                    'mostrecent', 'livemostrecent'):
        raise ValueError('Invalid multiprocess mode: ' + mode)


def set_target_info(registry, labels):
    with registry._lock:
        if labels:
            if not registry._target_info and 'target_info' in registry._names:
                raise ValueError('CollectorRegistry already contains a target_info metric')
            registry._names['target_info'] = None
        elif registry._target_info:
            registry._names.pop('target_info', None)
        registry._target_info = labels


def _values(k):
    """A child's key in its parent's dict as a tuple of label values."""
    return k if isinstance(k, tuple) else (k,)


def _key(values):
    return values[0] if len(values) == 1 else values


def key_of(parent, child):
    """The label values of child, from its parent's dict."""
    for k, c in parent._kids.items():
        if c is child:
            return _values(k)
    return ()


def label_key(metric, labelvalues, labelkwargs):
    """The child key for labels() called with keywords, or the error upstream raises."""
    p = metric._p
    names = p._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if p is not metric:
        raise ValueError('%s already has labels set (%s); can not chain calls to .labels()'
                         % (metric, dict(zip(names, key_of(p, metric)))))
    if labelvalues and labelkwargs:
        raise ValueError("Can't pass both *args and **kwargs")
    if labelkwargs:
        if sorted(labelkwargs) != sorted(names):
            raise ValueError('Incorrect label names')
        return tuple([str(labelkwargs[l]) for l in names])
    raise ValueError('Incorrect label count')


def remove(metric, labelvalues):
    names = metric._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if len(labelvalues) != len(names):
        raise ValueError('Incorrect label count (expected %d, got %s)'
                         % (len(names), labelvalues))
    key = _key(tuple(map(str, labelvalues)))
    with metric._klock:
        child = metric._kids.pop(key, None)
        if child is not None:
            metric._order = [c for c in metric._order if c is not child]


def describe(metric):
    from .families import Metric
    return [Metric(metric._name, metric._documentation, metric._type, metric._unit)]


def samples(metric, c):
    """[(suffix, extra labels, value)] of child c, as prometheus_client's _child_samples."""
    from . import metrics
    from ._clock import CLOCK_SET_AFTER
    t = metric._type
    if t == 'counter':
        out = [('_total', {}, c._v)]
    elif t == 'gauge':
        out = [('', {}, c._get())]
    elif t == 'summary':
        out = [('_count', {}, c._n), ('_sum', {}, c._s)]
    elif t == 'histogram':
        out = []
        acc = 0
        for le, n in zip(metric._le, c._b):
            acc += n
            out.append(('_bucket', {'le': le}, acc))
        if metric._upper_bounds[0] >= 0:  # negative buckets: no sum, so no count either
            out.append(('_count', {}, acc))
            out.append(('_sum', {}, c._s))
    elif t == 'info':
        return [('_info', c._val, 1.0)]
    else:  # stateset
        return [('', {metric._name: s}, 1 if i == c._v else 0)
                for i, s in enumerate(metric._states)]
    if metric._has_created and metrics._use_created and c._c > CLOCK_SET_AFTER:
        out.append(('_created', {}, c._c))
    return out


def collect(metric):
    from .families import Metric
    m = Metric(metric._name, metric._documentation, metric._type, metric._unit)
    keys = {}
    if metric._kids is not None:
        for k, c in metric._kids.items():
            keys[id(c)] = _values(k)
    names = metric._labelnames
    for c in metric._order:
        base = dict(zip(names, keys.get(id(c), ())))
        for suffix, extra, value in samples(metric, c):
            labels = dict(base)
            labels.update(extra)
            m.add_sample(metric._name + suffix, labels, value)
    return [m]


def remove_by_labels(metric, labels):
    names = metric._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if not isinstance(labels, dict):
        raise TypeError('labels must be a dict of {label_name: label_value}')
    bad = [k for k in labels if k not in names]
    if bad:
        raise ValueError('Unknown label names: %s; expected %s' % (bad, names))
    want = [(names.index(k), str(v)) for k, v in labels.items()]
    with metric._klock:
        for key in list(metric._kids):
            values = _values(key)
            if all(values[i] == v for i, v in want):
                del metric._kids[key]
        alive = set([id(c) for c in metric._kids.values()])
        metric._order = [c for c in metric._order if id(c) in alive]


def registry_collect(registry):
    if registry._target_info:
        yield target_info_metric(registry)
    ns = registry._ns
    for c in registry._collectors:
        for m in c.collect():
            yield namespaced(m, ns) if ns else m


def namespaced(m, ns):
    from .families import Metric
    out = Metric(ns + m.name, m.documentation, m.type)
    out.unit = m.unit
    for s in m.samples:
        out.add_sample(ns + s[0], s[1], s[2], s[3], s[4] if len(s) > 4 else None)
    return out


def target_info_metric(registry):
    from .families import Metric
    m = Metric('target', 'Target metadata', 'info')
    m.add_sample('target_info', registry._target_info, 1)
    return m


def sample_value(registry, name, labels):
    for m in registry.collect():
        for s in m.samples:
            if s[0] == name and s[1] == labels:
                return s[2]
    return None


class RestrictedRegistry:
    """Collects only the samples whose names are in names."""

    def __init__(self, names, registry):
        self._name_set = set(names)
        self._registry = registry

    def collect(self):
        for m in self._registry.collect():
            r = m._restricted_metric(self._name_set)
            if r:
                yield r


# -- custom collectors' Metric families, in both formats ------------------------------------
_TEXT_SPLIT = ('_created', '_gsum', '_gcount')  # moved to gauge families of their own


def _sample_line(w, ns, s, om):
    from ._format import escape_name, fmt
    name = s[0]
    if s[1]:
        w(ns + escape_name(name) + labelstr(sorted(s[1].items())) + ' ')
    else:
        w(ns + escape_name(name) + ' ')
    w(fmt(s[2]))
    ts = s[3]
    if ts is not None:
        w(' ' + (str(ts) if om else '%d' % int(float(ts) * 1000)))
    w('\n')


def generic_text(m, w, ns):
    from .exposition import _TEXT_TYPES, _header
    suffix, typ = _TEXT_TYPES.get(m.type, ('', m.type))
    _header(w, ns, m.name + suffix, m.documentation, typ, True)
    split = {}
    for s in m.samples:
        for suf in _TEXT_SPLIT:
            if s[0] == m.name + suf:
                split.setdefault(suf, []).append(s)
                break
        else:
            _sample_line(w, ns, s, False)
    for suf in sorted(split):
        _header(w, ns, m.name + suf, m.documentation, 'gauge', True)
        for s in split[suf]:
            _sample_line(w, ns, s, False)


def generic_om(m, w, ns):
    from ._format import escape_name
    from .exposition import _header
    _header(w, ns, m.name, m.documentation, m.type, False)
    if m.unit:
        w('# UNIT ' + ns + escape_name(m.name) + ' ' + m.unit + '\n')
    for s in m.samples:
        _sample_line(w, ns, s, True)


def labelstr(pairs):
    """'{a="x",b="y"}' for (name, value) pairs already in output order; '' for none."""
    from ._format import escape_name, escape_value
    if not pairs:
        return ''
    return '{' + ','.join([escape_name(k, False) + '="' + escape_value(v) + '"'
                           for k, v in pairs]) + '}'
