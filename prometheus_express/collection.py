# Our metrics and registries seen as Metric/Sample families: a metric's collect() and
# describe(), a registry's collect(), get_sample_value, target_info, and the series names a
# custom collector claims (its ?name[]= view is in views.py). The page writer never needs
# these for our metrics: they write their lines from their children.
#
# Imported on: CPython, MicroPython, CircuitPython (on first use of any of those: the
# registry's and the metrics' extension).
from ._format import SUFFIXES
from .families import Metric
from .metric_samples import children, samples
from .exemplars import exemplar_of


def describe_names(registry, collector):
    # Series names a custom collector claims, from describe() (or collect(), if the
    # registry auto-describes), as prometheus_client's registry finds them.
    desc = getattr(collector, 'describe', None)
    if desc is None and registry._auto_describe:
        desc = collector.collect
    if desc is None:
        return []
    result = []
    for m in desc():
        result.append(m.name)
        for suffix in SUFFIXES.get(m.type, ()):
            result.append(m.name + suffix)
    return result


def set_target_info(registry, labels):
    with registry._lock:
        if labels:
            if not registry._target_info and 'target_info' in registry._names:
                raise ValueError('CollectorRegistry already contains a target_info metric')
            registry._names['target_info'] = None
        elif registry._target_info:
            registry._names.pop('target_info', None)
        registry._target_info = labels


def describe(metric):
    return [Metric(metric._name, metric._documentation, metric._type, metric._unit)]


def collect(metric):
    m = Metric(metric._name, metric._documentation, metric._type, metric._unit)
    names = metric._labelnames
    ex = None
    for values, c in children(metric):
        base = dict(zip(names, values))
        i = 0
        for suffix, extra, value in samples(metric, c):
            labels = dict(base)
            labels.update(extra)
            if metric._has_ex:
                ex = exemplar_of(c, suffix, i)
                i += suffix == '_bucket'
            m.add_sample(metric._name + suffix, labels, float(value) if value.__class__ is int
                         else value, None, ex)
    return [m]


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
    out = Metric(ns + m.name, m.documentation, m.type)
    out.unit = m.unit
    for s in m.samples:
        out.add_sample(ns + s[0], s[1], s[2], s[3], s[4] if len(s) > 4 else None)
    return out


def target_info_metric(registry):
    m = Metric('target', 'Target metadata', 'info')
    m.add_sample('target_info', registry._target_info, 1.0)
    return m


def sample_value(registry, name, labels):
    for m in registry.collect():
        for s in m.samples:
            if s[0] == name and s[1] == labels:
                return s[2]
    return None
