# The rarer calls of metrics: remove(), clear(), remove_by_labels(), describe(), collect(),
# a Counter's reset() and count_exceptions(), a Gauge's set_to_current_time(), track_inprogress(),
# set_function(), time() (also of Summary and Histogram); labels by keyword and the errors
# upstream raises for labels() and remove(); a Gauge's multiprocess_mode check; turning
# `_created` series off and on.
#
# Imported on: CPython, MicroPython, CircuitPython (at the first of those calls: a metric's
# __getattr__ finds its method in METHODS). On CPython dropin.py makes them real methods.
from ._clock import stamp, wall
from ._format import CREATED
from ._timing import Timer, exception_counter, inprogress
from .children import BUCKETS, place


def describe(metric):
    from .collection import describe  # extension: Metric families
    return describe(metric)


def collect(metric):
    # One Metric family holding every sample (for tests, filters, push of others).
    from .collection import collect  # extension: Metric families
    return collect(metric)


def count_exceptions(counter, exception=Exception):
    # Decorator / context manager: inc() when `exception` escapes the block.
    with counter._lock:
        pass  # (a labelled parent raises here, as upstream)
    return exception_counter(counter, exception)


def set_to_current_time(gauge):
    gauge.set(wall())


def track_inprogress(gauge):
    # Decorator / context manager: inc() on entry, dec() on exit.
    with gauge._lock:
        pass
    return inprogress(gauge)


def time(metric):
    # Decorator / context manager: observe (or set) the block's duration in seconds.
    return Timer(metric, 'set' if metric._type == 'gauge' else 'observe')


def set_function(gauge, f):
    # Take the value from f() at every collection; the other methods become no-ops.
    with gauge._lock:
        pass
    gauge._fn = f
    gauge._p._fns = True


def get(gauge):
    return float(gauge._fn())


def reset(counter):
    with counter._lock:
        counter._v = 0
        counter._c = stamp()


def key_of(parent, child):
    # The label values of child, from its parent's dicts.
    for d in parent._kids:
        for k, c in d.items():
            if c is child:
                return k if isinstance(k, tuple) else (k,)
    return ()


def label_key(metric, labelvalues, labelkwargs):
    # The label values for labels() called with keywords, or the error upstream raises.
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
    # The error remove() raises for a wrong call, as upstream.
    if not metric._labelnames:
        raise ValueError('No label names were set when constructing %s' % metric)
    raise ValueError('Incorrect label count (expected %d, got %s)'
                     % (len(metric._labelnames), labelvalues))


def remove(metric, *labelvalues):
    # Remove the child for these label values (a held reference to it is detached).
    names = metric._labelnames
    if not names or len(labelvalues) != len(names):
        remove_error(metric, labelvalues)
    lv = tuple(map(str, labelvalues))
    key = lv[0] if len(lv) == 1 else lv
    with metric._klock:
        c = metric._kids[hash(key) & (len(metric._kids) - 1)].pop(key, None)
        if metric._labs:
            metric._labs.pop(key, None)
        if c is not None and BUCKETS:
            detach(metric, c)
            unorder(metric, key)


def clear(metric):
    # Remove every child.
    if metric._labelnames:
        with metric._klock:
            for d in metric._kids or ():
                for c in d.values():
                    detach(metric, c)
            metric._kids = [{}]
            metric._labs = None
            if BUCKETS:
                metric._order = [[None] * 8]
                metric._fill = 0
                metric._dead = 0


def detach(p, c):
    # Boards: a child removed from p gives its float slot back (values.py; a held reference
    # to it keeps working, with its value in itself).
    if c._i is not None:
        if c._v is None:
            c._v = p._vals[c._i >> 4][c._i & 15]
        p._free.append(c._i)
        c._i = None


def unorder(m, key):
    # Boards: the key's place (and its child's) in the order lists (children.py) becomes
    # None; they are made anew once half of them is gone (a render in progress keeps walking
    # the old ones).
    live = 0
    for chunk in m._order:
        i = 0
        while i < len(chunk):
            k = chunk[i]
            if k is not None:
                if k == key:
                    chunk[i] = chunk[i + 1] = None
                else:
                    live += 1
            i += 2
    m._dead += 1
    if m._dead > 8 and m._dead > live:  # made anew when half of it is gone
        old = m._order
        m._order = [[None] * 8]
        m._fill = 0
        for chunk in old:
            for i in range(0, len(chunk), 2):
                if chunk[i] is not None:
                    place(m, chunk[i], chunk[i + 1])
        m._dead = 0


def disable_created_metrics():
    # Stop exporting `_created` series for counters, histograms and summaries.
    CREATED[0] = False


def enable_created_metrics():
    # Export `_created` series again (on boards they are left out while the clock is unset).
    CREATED[0] = True


def remove_by_labels(metric, labels):
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
        keys = [k for d in metric._kids for k in d]
    for key in keys:
        values = key if isinstance(key, tuple) else (key,)
        if all(values[i] == v for i, v in want):
            metric.remove(*values)


def check_mode(metric, mode):
    if metric._type != 'gauge':
        raise TypeError("__init__() got an unexpected keyword argument 'multiprocess_mode'")
    if mode not in ('all', 'liveall', 'min', 'livemin', 'max', 'livemax', 'sum', 'livesum',
                    'mostrecent', 'livemostrecent'):
        raise ValueError('Invalid multiprocess mode: ' + mode)


# name: (the function, the metric types that have it ('' for all))
METHODS = {'remove': (remove, ''), 'clear': (clear, ''),
           'describe': (describe, ''), 'collect': (collect, ''),
           'remove_by_labels': (remove_by_labels, ''), 'reset': (reset, 'counter'),
           'count_exceptions': (count_exceptions, 'counter'),
           'set_to_current_time': (set_to_current_time, 'gauge'),
           'track_inprogress': (track_inprogress, 'gauge'),
           'set_function': (set_function, 'gauge'), '_get': (get, 'gauge'),
           'time': (time, 'gauge summary histogram')}


def method(metric, name):
    # metric.name for the calls kept here, bound to metric (AttributeError for others).
    f, types = METHODS.get(name, (None, None))
    if f is None or types and metric._type not in types.split():
        raise AttributeError("'%s' object has no attribute '%s'"
                             % (metric.__class__.__name__, name))
    return lambda *a, **k: f(metric, *a, **k)


def install(classes):
    # CPython: make these real methods of our metric classes (introspection), and give
    # them upstream's repr.
    for cls in classes:
        for name, (f, types) in METHODS.items():
            if not types or cls._type in types.split():
                setattr(cls, name, f)
        cls.__repr__ = lambda self: '%s.%s(%s)' % (
            self.__class__.__module__, self.__class__.__name__, self._p._name)
