"""What a metric does beyond its hot paths: labels by keyword (and the errors upstream raises),
remove()'s errors, remove_by_labels(), describe(), collect(), reset(), timers and
decorators, set_function(), a Gauge's multiprocess_mode check, and turning `_created`
series off and on.

Imported on: CPython (with metrics.py: there the calls become real methods), MicroPython,
CircuitPython (on first use of any of those, through MetricWrapperBase.__getattr__).
"""

# name: the metric types that have it ('' for all)
_FOR = {'remove_by_labels': '', 'describe': '', 'collect': '',
        'reset': 'counter', 'count_exceptions': 'counter',
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
    """CPython: make these real methods of our metric classes (introspection, repr), and
    give them the CPython render loop."""
    for cls in classes:
        for name, types in _FOR.items():
            if not types or cls._type in types.split():
                f = globals()[name.lstrip('_')]
                setattr(cls, name, f)
        cls._cpython_rows = cpython_rows
        cls.__repr__ = lambda self: '%s.%s(%s)' % (
            self.__class__.__module__, self.__class__.__name__, self._p._name)


def exemplar(child, labels, value, bucket=None):
    """Keep an exemplar (checked as upstream checks it) for a counter child, or for bucket
    `bucket` of a histogram child; the parent's OpenMetrics lines then carry it."""
    from ._clock import wall
    from .families import Exemplar
    from .validation import validate_exemplar
    validate_exemplar(labels)
    ex = Exemplar(dict(labels), value, wall())
    if bucket is None:
        child._ex = ex
    else:
        exs = child.__dict__.get('_exs')
        if exs is None:
            exs = child._exs = {}
        exs[bucket] = ex
    child._p._has_ex = True


def exemplar_of(child, suffix, i):
    """The exemplar of a child's sample (suffix; i: the bucket), or None."""
    d = child.__dict__
    if suffix == '_total':
        return d.get('_ex')
    if suffix == '_bucket':
        return d.get('_exs', {}).get(i)
    return None


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
    gauge._p._fns = True


def get(gauge):
    return float(gauge._fn())


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


def remove_error(metric, labelvalues):
    """The error remove() raises for a wrong call, as upstream."""
    if not metric._labelnames:
        raise ValueError('No label names were set when constructing %s' % metric)
    raise ValueError('Incorrect label count (expected %d, got %s)'
                     % (len(metric._labelnames), labelvalues))


def cpython_rows(self, w, name, created, t, fn, o, lim):
    """MetricWrapperBase._rows on CPython, where RAM is plenty (boards never compile this):
    each key's `{labels} ` text is made once and kept (a pure function of the key, so a
    kept one is never wrong)."""
    from ._format import fmt
    from .metrics import line_args
    labs = self._labs
    if labs is None:
        labs = self._labs = {}
    esc = self._esc
    f = t[0]
    for chunk in self._chunks():
        for i in range(0, len(chunk), 2):
            k = chunk[i]
            lab = labs.get(k)
            if lab is None:
                e = esc.get(k, k) if esc else k
                lab = labs[k] = f % (e if t[2] else line_args(t, e, '')[:-1])
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


def disable_created_metrics():
    """Stop exporting `_created` series for counters, histograms and summaries."""
    __import__('prometheus_express.metrics', None, None, ['x'])._use_created = False


def enable_created_metrics():
    """Export `_created` series again (on boards they are left out while the clock is unset)."""
    __import__('prometheus_express.metrics', None, None, ['x'])._use_created = True


def remove_by_labels(metric, labels):
    from .metrics import _detach
    names = metric._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if not isinstance(labels, dict):
        raise TypeError('labels must be a dict of {label_name: label_value}')
    bad = [k for k in labels if k not in names]
    if bad:
        raise ValueError('Unknown label names: %s; expected %s' % (bad, names))
    if not labels:
        return  # no labels given: nothing matches, as upstream (not everything)
    want = [(names.index(k), str(v)) for k, v in labels.items()]
    with metric._klock:
        for key in [k for d in metric._kids for k in d]:
            values = key if isinstance(key, tuple) else (key,)
            if all(values[i] == v for i, v in want):
                c = metric._kids[hash(key) & (len(metric._kids) - 1)].pop(key, None)
                if metric._labs:
                    metric._labs.pop(key, None)
                if c is not None and metric._order is not None:
                    _detach(metric, c)
                    metric._unorder(key)


def check_mode(metric, mode):
    if metric._type != 'gauge':
        raise TypeError("__init__() got an unexpected keyword argument 'multiprocess_mode'")
    if mode not in ('all', 'liveall', 'min', 'livemin', 'max', 'livemax', 'sum', 'livesum',
                    'mostrecent', 'livemostrecent'):
        raise ValueError('Invalid multiprocess mode: ' + mode)
