"""What a metric does beyond its hot paths: labels by keyword (and the errors upstream raises),
remove(), remove_by_labels(), describe(), collect(), reset(), timers and decorators,
set_function(), the text format's `_created` lines, a Gauge's multiprocess_mode check.

Imported on: CPython (with metrics.py: there the calls become real methods), MicroPython,
CircuitPython (on first use of any of those, through MetricWrapperBase.__getattr__).
"""
from ._clock import CLOCK_SET_AFTER

# name: the metric types that have it ('' for all)
_FOR = {'remove': '', 'remove_by_labels': '', 'describe': '', 'collect': '',
        '_created_rows': '', 'reset': 'counter', 'count_exceptions': 'counter',
        'set_to_current_time': 'gauge', 'track_inprogress': 'gauge', 'set_function': 'gauge',
        '_get': 'gauge', 'time': 'gauge summary histogram'}


def method(metric, name):
    """metric.name for the calls kept here, bound to metric (AttributeError for others)."""
    types = _FOR.get(name)
    if types is None or types and metric._type not in types.split():
        raise AttributeError("'%s' object has no attribute '%s'"
                             % (metric.__class__.__name__, name))
    f = globals()[name.lstrip('_')]
    return lambda *a, **k: f(metric, *a, **k)


def install(classes):
    """CPython: make these real methods of our metric classes (introspection, repr)."""
    for cls in classes:
        for name, types in _FOR.items():
            if not types or cls._type in types.split():
                f = globals()[name.lstrip('_')]
                setattr(cls, name, f)
        cls.__repr__ = lambda self: '%s.%s(%s)' % (
            self.__class__.__module__, self.__class__.__name__, self._p._name)


def remove(metric, *labelvalues):
    _remove(metric, labelvalues)


def describe(metric):
    from .collection import describe
    return describe(metric)


def collect(metric):
    """One Metric family holding every sample (for tests, filters, push of others)."""
    from .collection import collect
    return collect(metric)


def reset(counter):
    from ._clock import stamp
    with counter._lock:
        counter._v = 0
        counter._c = stamp()


def count_exceptions(counter, exception=Exception):
    """Decorator / context manager: inc() when `exception` escapes the block."""
    with counter._lock:
        pass
    from ._timing import exception_counter
    return exception_counter(counter, exception)


def set_to_current_time(gauge):
    from ._clock import wall
    gauge.set(wall())


def track_inprogress(gauge):
    """Decorator / context manager: inc() on entry, dec() on exit."""
    with gauge._lock:
        pass
    from ._timing import inprogress
    return inprogress(gauge)


def time(metric):
    """Decorator / context manager: observe (or set) the block's duration in seconds."""
    from ._timing import Timer
    return Timer(metric, 'set' if metric._type == 'gauge' else 'observe')


def set_function(gauge, f):
    """Take the value from f() at every collection; the other methods become no-ops."""
    with gauge._lock:
        pass
    gauge._fn = f


def get(gauge):
    f = gauge._fn
    return float(f()) if f else gauge._v


def created_rows(metric, w, ns, o, lim, head):
    """Text format: the `_created` lines, after their family header (written before the
    first of them: on a board whose clock is unset there are none)."""
    from ._format import fmt
    from .metrics import args, line
    for _, c in metric._pairs():
        if c._c > CLOCK_SET_AFTER:
            break
    else:
        return
    head()
    t = metric._lt
    f = line(ns + metric._ename + '_created', t)
    esc = metric._esc
    for k, c in metric._pairs():
        if c._c > CLOCK_SET_AFTER:
            w(f % args(t, esc.get(k, k) if esc else k, None, fmt(c._c)))
        if len(o) >= lim:
            yield


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


def _remove(metric, labelvalues):
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
