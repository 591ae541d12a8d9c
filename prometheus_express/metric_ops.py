# The rarer calls of metrics: remove() and clear() (removal.py), remove_by_labels(),
# describe(), collect(), a Counter's reset() and count_exceptions(), a Gauge's
# set_to_current_time(), track_inprogress(), set_function(), time() (also of Summary and
# Histogram); a Gauge's multiprocess_mode check; turning `_created` series off and on.
#
# Imported on: CPython, MicroPython, CircuitPython (at the first of those calls: a metric's
# __getattr__ finds its method in METHODS). On CPython dropin.py makes them real methods.
from ._clock import stamp, wall
from ._format import CREATED
from ._timing import Timer, exception_counter, inprogress
from .removal import clear, drop, remove


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
            drop(metric, key)


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
