"""The slow paths of metrics: collect(), remove_by_labels(), finding a child's label values.

Imported on: CPython, MicroPython, CircuitPython (by tests, filters, push, remote write).
Children do not keep their label values (it saves a slot per series on a board); the parent's
dict maps label values to children, so these look them up there.
"""


def key_of(parent, child):
    """The label values of child, from its parent's dict."""
    for k, c in parent._kids.items():
        if c is child:
            return k
    return ()


def collect(metric):
    from .families import Metric
    m = Metric(metric._name, metric._documentation, metric._type, metric._unit)
    keys = {}
    if metric._kids is not None:
        for k, c in metric._kids.items():
            keys[id(c)] = k
    names = metric._labelnames
    for c in metric._order:
        base = dict(zip(names, keys.get(id(c), ())))
        for suffix, extra, value in c._samples():
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
            if all(key[i] == v for i, v in want):
                del metric._kids[key]
        alive = set([id(c) for c in metric._kids.values()])
        metric._order = [c for c in metric._order if id(c) in alive]
