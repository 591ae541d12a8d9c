"""The less common label operations of metrics: labels by keyword (and the errors upstream
raises), remove(), remove_by_labels(), a Gauge's multiprocess_mode check, exemplars.

Imported on: CPython, MicroPython, CircuitPython (on first use of any of those).
"""


def key_of(parent, child):
    """The label values of child, from its parent's dicts."""
    for d in parent._kids:
        for k, c in d.items():
            if c is child:
                return k if isinstance(k, tuple) else (k,)
    return ()


def label_key(metric, labelvalues, labelkwargs):
    """The label values for labels() called with keywords, or the error upstream raises."""
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


def _drop(metric, key):
    """Forget one child (the lock is held): O(1) on CPython; on boards the key's place in the
    order lists becomes None, and the lists are made anew once half of them is gone (a
    render in progress keeps walking the old ones)."""
    kids = metric._kids
    if kids[hash(key) & (len(kids) - 1)].pop(key, None) is None:
        return
    order = metric._order
    if order is not None:
        n = 0
        for chunk in order:
            n += len(chunk)
            if key in chunk:
                chunk[chunk.index(key)] = None
        metric._dead += 1
        if metric._dead > 8 and metric._dead * 2 > n:
            fresh = [[]]
            for chunk in order:
                for k in chunk:
                    if k is not None:
                        if len(fresh[-1]) >= 32:
                            fresh.append([])
                        fresh[-1].append(k)
            metric._order = fresh
            metric._dead = 0


def remove(metric, labelvalues):
    names = metric._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if len(labelvalues) != len(names):
        raise ValueError('Incorrect label count (expected %d, got %s)'
                         % (len(names), labelvalues))
    lv = tuple([str(v) for v in labelvalues])
    with metric._klock:
        _drop(metric, lv[0] if len(lv) == 1 else lv)


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
        for key in [k for d in metric._kids for k in d]:
            values = key if isinstance(key, tuple) else (key,)
            if all(values[i] == v for i, v in want):
                _drop(metric, key)


def check_mode(metric, mode):
    if metric._type != 'gauge':
        raise TypeError("__init__() got an unexpected keyword argument 'multiprocess_mode'")
    if mode not in ('all', 'liveall', 'min', 'livemin', 'max', 'livemax', 'sum', 'livesum',
                    'mostrecent', 'livemostrecent'):
        raise ValueError('Invalid multiprocess mode: ' + mode)
