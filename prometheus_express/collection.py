"""Our metrics and registries seen as Metric/Sample families: collect(), describe(),
get_sample_value, the restricted registry (?name[]=), target_info, and the series names a
custom collector claims. The page writer never needs these: it streams from the children.

Imported on: CPython, MicroPython, CircuitPython (on first use of any of those).
"""
from ._clock import CLOCK_SET_AFTER


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


def registry_set_target_info(registry, labels):
    with registry._lock:
        if labels:
            if not registry._target_info and 'target_info' in registry._names:
                raise ValueError('CollectorRegistry already contains a target_info metric')
            registry._names['target_info'] = None
        elif registry._target_info:
            registry._names.pop('target_info', None)
        registry._target_info = labels


def describe(metric):
    from .families import Metric
    return [Metric(metric._name, metric._documentation, metric._type, metric._unit)]


def children(metric):
    """[(label values tuple, child)] in creation order, copied under the metric's lock."""
    if metric._kids is None:
        return [((), metric)]
    out = []
    for chunk in metric._chunks():  # CPython: a copy made under the metric's lock
        for i in range(0, len(chunk), 2):
            k = chunk[i]
            if k is not None:
                out.append((k if isinstance(k, tuple) else (k,), chunk[i + 1]))
    return out


def samples(metric, c):
    """[(suffix, extra labels, value)] of child c, as prometheus_client's _child_samples."""
    from . import metrics
    t = metric._type
    if t == 'counter':
        out = [('_total', {}, metrics.value(c))]
    elif t == 'gauge':
        out = [('', {}, metrics.value(c))]
    elif t == 'summary':
        out = [('_count', {}, c._n), ('_sum', {}, metrics.value(c))]
    elif t == 'histogram':
        out = []
        acc = 0
        for le, n in zip(metric._le, c._b):
            acc += n
            out.append(('_bucket', {'le': le}, acc))
        if metric._upper_bounds[0] >= 0:  # negative buckets: no sum, so no count either
            out.append(('_count', {}, acc))
            out.append(('_sum', {}, metrics.value(c)))
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
    names = metric._labelnames
    ex = exemplar_of = None
    if metric._has_ex:
        from .metric_ops import exemplar_of
    for values, c in children(metric):
        base = dict(zip(names, values))
        i = 0
        for suffix, extra, value in samples(metric, c):
            labels = dict(base)
            labels.update(extra)
            if exemplar_of is not None:
                ex = exemplar_of(c, suffix, i)
                i += suffix == '_bucket'
            m.add_sample(metric._name + suffix, labels, float(value) if value.__class__ is int
                         else value, None, ex)
    return [m]


def registry_get_target_info(registry):
    return registry._target_info


def registry_restricted_registry(registry, names):
    """A view holding only the samples whose names are in names (the ?name[]= filter)."""
    return RestrictedRegistry(names, registry)


def registry_get_sample_value(registry, name, labels=None):
    """The value of one sample, or None. Slow: meant for tests."""
    return sample_value(registry, name, labels or {})


def registry_render(registry):
    """The text exposition (format 0.0.4) as a str, as prometheus_express 0.0.4 offered."""
    from .generate import generate_latest
    return generate_latest(registry).decode('utf-8')


def registry_collect(registry):
    ns = registry._ns
    if registry._target_info:
        yield namespaced(target_info_metric(registry), ns)
    for c in registry._collectors:
        for m in c.collect():
            yield namespaced(m, ns)


def namespaced(m, ns):
    if not ns:
        return m
    from .families import Metric
    out = Metric(ns + m.name, m.documentation, m.type)
    out.unit = m.unit
    for s in m.samples:
        out.add_sample(ns + s[0], s[1], s[2], s[3], s[4] if len(s) > 4 else None)
    return out


def target_info_metric(registry):
    from .families import Metric
    m = Metric('target', 'Target metadata', 'info')
    m.add_sample('target_info', registry._target_info, 1.0)
    return m


def sample_value(registry, name, labels):
    for m in registry.collect():
        for s in m.samples:
            if s[0] == name and s[1] == labels:
                return s[2]
    return None


class RestrictedRegistry:
    """A registry's view holding only the samples whose names are in names. Our metrics
    stream as on a full page when all their sample names are wanted, are skipped when none
    is, and only otherwise go through collect() (one metric at a time)."""

    def __init__(self, names, registry):
        self._name_set = set(names)
        self._registry = registry
        self._ns = getattr(registry, '_ns', '')
        self._target_info = None
        if registry._target_info and self._ns + 'target_info' in self._name_set:
            self._target_info = registry._target_info

    def collectors(self):
        return self._registry.collectors()

    def collect(self):
        """The wanted samples; collect() is called only on collectors that claim a wanted
        name (or claim none, with support_collectors_without_names)."""
        from .registry import Collector
        reg = self._registry
        ns = self._ns
        want = self._name_set
        if self._target_info:
            yield namespaced(target_info_metric(reg), ns)
        for c in reg.collectors():
            if isinstance(c, Collector):
                names = emitted(c, ns)
            else:
                names = [ns + n for n in reg._claimed.get(id(c), ())]
                if not names and not getattr(reg, '_without_names', False):
                    continue
            if names and not [n for n in names if n in want]:
                continue
            for m in c.collect():
                r = namespaced(m, ns)._restricted_metric(want)
                if r:
                    yield r


class _Restricted:
    """One collector seen through a name filter (custom collectors and partly wanted metrics
    of ours go through collect())."""

    def __init__(self, c, names, ns):
        self.c = c
        self.names = names
        self.ns = ns

    def collect(self):
        for m in self.c.collect():
            m = namespaced(m, self.ns)
            r = m._restricted_metric(self.names)
            if r:
                r.unit = m.unit
                yield r


def emitted(metric, ns):
    """The sample names our metric writes (with the registry's namespace)."""
    from .registry import _SUFFIXES
    base = ns + metric._name
    if metric._type in ('gauge', 'stateset'):
        return [base]
    return [base + s for s in _SUFFIXES[metric._type]]


def labelstr(pairs, label=None):
    """'{a="x",b="y"}' for (name, value) pairs already in output order; '' for none.
    label: writes a label name (default: the underscores scheme)."""
    from ._format import escape_name, escape_value
    if not pairs:
        return ''
    return '{' + ','.join([(label(k) if label else escape_name(k, False)) + '="' +
                           escape_value(v) + '"' for k, v in pairs]) + '}'
