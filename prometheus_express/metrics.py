"""Counter and Gauge (and, loaded on first use, Summary, Histogram, Info and Enum from
metrics_extra): prometheus_client's API, board-sized.

Imported on: CPython, MicroPython, CircuitPython.

A labelled metric is a parent holding children, one per label-value tuple; a metric without
labels is its own only child. A child holds its value and, prepared once when it is made, the
`{labels} ` text of its lines, so a scrape only formats numbers. Children
are kept in a list as well as a dict because MicroPython dicts are unordered. The slow paths
(collect(), remove_by_labels(), timers) live in other modules and load when first used.
"""
from ._clock import CLOCK_SET_AFTER, wall
from ._format import (CPYTHON, escape_name, escape_value, fmt, validate_labelname,
                      validate_metric_name)
from ._lock import new_lock
from .registry import REGISTRY

_use_created = True
try:
    import os
    if os.getenv('PROMETHEUS_DISABLE_CREATED_SERIES', 'False').lower() in ('true', '1', 't'):
        _use_created = False
except (ImportError, AttributeError):
    pass


def disable_created_metrics():
    """Stop exporting `_created` series for counters, histograms and summaries."""
    global _use_created
    _use_created = False


def enable_created_metrics():
    """Export `_created` series again (the default; they are left out anyway while the board's
    clock is unset, since a creation time in the year 2000 would be nonsense)."""
    global _use_created
    _use_created = True


def __getattr__(name):  # from prometheus_express.metrics import Histogram, as upstream
    if name in ('Summary', 'Histogram', 'Info', 'Enum'):
        from . import metrics_extra
        return getattr(metrics_extra, name)
    raise AttributeError(name)


def _full_name(typ, name, namespace, subsystem, unit):
    if not name:
        raise ValueError('Metric name should not be empty')
    full = (namespace + '_' if namespace else '') + (subsystem + '_' if subsystem else '') + name
    if typ == 'counter' and full.endswith('_total'):
        full = full[:-6]  # munge to OpenMetrics
    if unit and not full.endswith('_' + unit):
        full += '_' + unit
    if unit and typ in ('info', 'stateset'):
        raise ValueError('Metric name is of a type that cannot have a unit: ' + full)
    return full


def _labels(pairs):
    """'{a="x",b="y"} ' (or ' ' for none): a line's labels, sorted by name as
    prometheus_client writes them, and the space before the value. The metric name is
    written before it at render time, so series of one child share one string."""
    if not pairs:
        return ' '
    pairs.sort()
    parts = []
    sep = '{'
    for k, v in pairs:
        parts.append(sep)
        parts.append(escape_name(k, False))
        parts.append('="')
        parts.append(escape_value(v))
        parts.append('"')
        sep = ','
    parts.append('} ')
    s = ''.join(parts)
    if CPYTHON:
        s.encode('utf-8')  # a lone surrogate fails here, once, not at every scrape
    return s


class _Unobservable:
    """The `_lock` of a labelled parent: using the parent directly raises as upstream does."""

    def __init__(self, typ):
        self._typ = typ

    def __enter__(self):
        raise ValueError('%s metric is missing label values' % self._typ)

    def __exit__(self, *exc):
        return False


class MetricWrapperBase:
    _type = None
    _reserved_labelnames = ()
    _has_created = False
    _kids = None      # a labelled parent's {label values (the value alone if one): child}
    _fn = None        # Gauge.set_function
    _cs = None        # the _created value as text, made at its first render

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, multiprocess_mode='all'):
        if multiprocess_mode != 'all':  # a Gauge's; accepted as upstream, nothing to do here
            from ._slow import check_mode
            check_mode(self, multiprocess_mode)
        self._name = _full_name(self._type, name, namespace, subsystem, unit)
        labelnames = tuple(labelnames)
        for l in labelnames:
            validate_labelname(l)
            if l in self._reserved_labelnames:
                raise ValueError('Reserved label metric name: ' + l)
        validate_metric_name(self._name)
        self._ename = escape_name(self._name)  # as written: UTF-8 names escaped to '_'
        if CPYTHON:
            documentation.encode('utf-8')  # a lone surrogate raises here (a ValueError)
        self._documentation = documentation
        self._unit = unit
        self._labelnames = labelnames
        self._p = self
        if labelnames:
            self._kids = {}
            self._order = []
            self._klock = new_lock()
            self._lock = _Unobservable(self._type)
        else:
            self._lock = new_lock()
            self._order = (self,)
            self._init_child(())
        if registry:
            registry.register(self)

    def __str__(self):
        return '%s:%s' % (self._type, self._p._name)

    def _observable(self):
        with self._lock:
            pass

    def _pairs(self, lv, *extra):
        """[(label name, value)] for label values lv, plus extra pairs (a new list)."""
        out = [(n, lv[i]) for i, n in enumerate(self._p._labelnames)]
        out.extend(extra)
        return out

    def _names(self):
        """The series names this metric claims in a registry (no Metric objects needed)."""
        from .registry import _SUFFIXES
        return [self._name] + [self._name + s for s in _SUFFIXES.get(self._type, ())]

    # -- labels -----------------------------------------------------------------------------
    def labels(self, *labelvalues, **labelkwargs):
        """The child for these label values (positional, or by name), made on first use."""
        lv = labelvalues  # the call's own tuple, when every value is already a str
        if labelkwargs or self._kids is None or len(lv) != len(self._labelnames):
            from ._slow import label_key  # keywords, or an error to raise
            lv = label_key(self, labelvalues, labelkwargs)
        else:
            for v in lv:
                if v.__class__ is not str:
                    lv = tuple(map(str, labelvalues))
                    break
        # One label (the common case on boards): the value itself is the key, no tuple held.
        key = lv[0] if len(lv) == 1 else lv
        child = self._kids.get(key)
        if child is None:
            with self._klock:
                child = self._kids.get(key)
                if child is None:
                    child = object.__new__(type(self))
                    child._p = self
                    child._lock = self._klock
                    child._init_child(lv)
                    self._kids[key] = child
                    self._order.append(child)  # append only: a render iterating it is safe
        return child

    def remove(self, *labelvalues):
        from ._slow import remove
        remove(self, labelvalues)

    def remove_by_labels(self, labels):
        """Remove every child whose labels include all of `labels` (a dict)."""
        from ._slow import remove_by_labels
        remove_by_labels(self, labels)

    def clear(self):
        if self._labelnames:
            with self._klock:
                self._kids = {}
                self._order = []

    # -- collection -------------------------------------------------------------------------
    def describe(self):
        from ._slow import describe
        return describe(self)

    def collect(self):
        """One Metric family holding every sample (slow path: tests, filters, push)."""
        from ._slow import collect
        return collect(self)

    def _line_name(self, ns, suffix=''):
        """The name written before each line's labels (registry namespace + metric name)."""
        return ns + self._ename + suffix

    def _write_created(self, w, ns, head):
        """Text format: the `_created` lines, after head() writes their family header."""
        first = True
        name = self._line_name(ns, '_created')
        for c in self._order:
            if c._c > CLOCK_SET_AFTER:
                if first:
                    head()
                    first = False
                self._created_line(c, w, name)

    def _created_line(self, c, w, name):
        if c._c > CLOCK_SET_AFTER:
            cs = c._cs
            if cs is None:
                cs = c._cs = fmt(c._c)
            w(name)
            w(c._pfx)
            w(cs)
            w('\n')


class Counter(MetricWrapperBase):
    """A value that only goes up (or resets). Integer increments stay exact integers."""
    _type = 'counter'
    _has_created = True

    def _init_child(self, lv):
        self._v = 0
        self._c = wall()
        self._pfx = _labels(self._pairs(lv))

    def inc(self, amount=1, exemplar=None):
        """Add amount (default 1). Exemplars are accepted and not exported."""
        if amount < 0:
            raise ValueError('Counters can only be incremented by non-negative amounts.')
        with self._lock:
            self._v += amount

    def reset(self):
        with self._lock:
            self._v = 0
            self._c = wall()
            self._cs = None

    def count_exceptions(self, exception=Exception):
        """Decorator / context manager: inc() when `exception` escapes the block."""
        self._observable()
        from ._timing import exception_counter
        return exception_counter(self, exception)

    def _write(self, w, ns, om):
        name = self._line_name(ns, '_total')
        created = self._line_name(ns, '_created') if om and _use_created else None
        for c in self._order:
            w(name)
            w(c._pfx)
            w(fmt(c._v))
            w('\n')
            if created:
                self._created_line(c, w, created)


class Gauge(MetricWrapperBase):
    """A value that goes up and down."""
    _type = 'gauge'
    def _init_child(self, lv):
        self._v = 0
        self._pfx = _labels(self._pairs(lv))

    def inc(self, amount=1):
        with self._lock:
            self._v += amount

    def dec(self, amount=1):
        with self._lock:
            self._v -= amount

    def set(self, value):
        if value.__class__ is not int:
            value = float(value)
        with self._lock:
            self._v = value

    def set_to_current_time(self):
        self.set(wall())

    def track_inprogress(self):
        """Decorator / context manager: inc() on entry, dec() on exit."""
        self._observable()
        from ._timing import inprogress
        return inprogress(self)

    def time(self):
        """Decorator / context manager: set the gauge to the block's duration in seconds."""
        from ._timing import Timer
        return Timer(self, 'set')

    def set_function(self, f):
        """Take the value from f() at every collection; the other methods become no-ops."""
        self._observable()
        self._fn = f

    def _get(self):
        f = self._fn
        return float(f()) if f else self._v

    def _write(self, w, ns, om):
        name = self._line_name(ns)
        for c in self._order:
            w(name)
            w(c._pfx)
            w(fmt(c._v if c._fn is None else c._get()))
            w('\n')
