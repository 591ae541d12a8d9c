"""Counter, Gauge, Summary, Histogram, Info, Enum: prometheus_client's API, board-sized.

Imported on: CPython, MicroPython, CircuitPython.

A labelled metric is a parent holding children (one per label-value tuple); a metric without
labels is its own only child. Each child keeps its values and, prepared once when it is made,
the `name{labels} ` prefix of every line it renders, so a scrape only formats numbers.
Children are kept in a list as well as a dict because MicroPython dicts are unordered.
"""
from ._clock import CLOCK_SET_AFTER, elapsed, ticks, wall
from ._format import INF, escape_name, fmt, labelstr, validate_labelname, validate_metric_name
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


def created_enabled():
    return _use_created


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


def _prefix(name, pairs):
    """'name{a="x",b="y"} ' with the label pairs sorted by name, as prometheus_client writes."""
    s = escape_name(name) + labelstr(sorted(pairs)) + ' '
    s.encode('utf-8')  # a lone surrogate (CPython only) fails here, once, not at every scrape
    return s


class _Unobservable:
    """The `_lock` of a labelled parent: using the parent directly raises as upstream does."""

    def __init__(self, typ):
        self._typ = typ

    def __enter__(self):
        raise ValueError('%s metric is missing label values' % self._typ)

    def __exit__(self, *exc):
        return False


def _wrap(f, wrapped):
    for attr in ('__name__', '__qualname__', '__doc__', '__module__'):
        try:
            setattr(wrapped, attr, getattr(f, attr))
        except (AttributeError, TypeError):  # MicroPython functions take no attributes
            pass
    try:
        wrapped.__wrapped__ = f
    except (AttributeError, TypeError):
        pass
    return wrapped


class _Timer:
    """Context manager and decorator that passes the elapsed seconds to metric.<method>."""

    def __init__(self, metric, method):
        self._metric = metric
        self._method = method
        self.duration = None

    def __enter__(self):
        self._start = ticks()
        return self

    def __exit__(self, typ, value, tb):
        self.duration = elapsed(self._start)
        getattr(self._metric, self._method)(self.duration)
        return False

    def labels(self, *args, **kw):
        self._metric = self._metric.labels(*args, **kw)

    def __call__(self, f):
        def wrapped(*args, **kw):
            with _Timer(self._metric, self._method):  # a new timer per call: reentrant
                return f(*args, **kw)
        return _wrap(f, wrapped)


class _Block:
    """Context manager and decorator calling enter() and leave(exc) around a block."""

    def __init__(self, enter, leave):
        self._enter = enter
        self._leave = leave

    def __enter__(self):
        self._enter()

    def __exit__(self, typ, value, tb):
        self._leave(value)
        return False

    def __call__(self, f):
        def wrapped(*args, **kw):
            with self:
                return f(*args, **kw)
        return _wrap(f, wrapped)


def _nothing(*a):
    pass


class MetricWrapperBase:
    _type = None
    _reserved_labelnames = ()
    _has_created = False
    _kids = None      # a labelled parent's {label values: child}
    _fn = None        # Gauge.set_function

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None):
        self._name = _full_name(self._type, name, namespace, subsystem, unit)
        labelnames = tuple(labelnames)
        for l in labelnames:
            validate_labelname(l)
            if l in self._reserved_labelnames:
                raise ValueError('Reserved label metric name: ' + l)
        validate_metric_name(self._name)
        documentation.encode('utf-8')  # CPython: a lone surrogate raises here (a ValueError)
        self._documentation = documentation
        self._unit = unit
        self._labelnames = labelnames
        self._p = self
        self._lv = ()
        if labelnames:
            self._kids = {}
            self._order = []
            self._klock = new_lock()
            self._lock = _Unobservable(self._type)
        else:
            self._lock = new_lock()
            self._order = (self,)
            self._init_child()
        if registry:
            registry.register(self)

    def __str__(self):
        return '%s:%s' % (self._type, self._p._name)

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, self._p._name)

    def _observable(self):
        with self._lock:
            pass

    def _pairs(self, *extra):
        return list(zip(self._p._labelnames, self._lv)) + list(extra)

    # -- labels -----------------------------------------------------------------------------
    def labels(self, *labelvalues, **labelkwargs):
        """The child for these label values (positional, or by name), made on first use."""
        p = self._p
        if not p._labelnames:
            raise ValueError('No label names were set when constructing %s' % self)
        if p is not self:
            raise ValueError('%s already has labels set (%s); can not chain calls to .labels()'
                             % (self, dict(zip(p._labelnames, self._lv))))
        if labelvalues and labelkwargs:
            raise ValueError("Can't pass both *args and **kwargs")
        if labelkwargs:
            if sorted(labelkwargs) != sorted(self._labelnames):
                raise ValueError('Incorrect label names')
            key = tuple([str(labelkwargs[l]) for l in self._labelnames])
        else:
            if len(labelvalues) != len(self._labelnames):
                raise ValueError('Incorrect label count')
            key = tuple(map(str, labelvalues))
        child = self._kids.get(key)
        if child is None:
            with self._klock:
                child = self._kids.get(key)
                if child is None:
                    child = object.__new__(type(self))
                    child._p = self
                    child._lv = key
                    child._lock = self._klock
                    child._init_child()
                    self._kids[key] = child
                    self._order.append(child)  # append only: a render iterating it is safe
        return child

    def remove(self, *labelvalues):
        if not self._labelnames:
            raise ValueError('No label names were set when constructing %s' % self)
        if len(labelvalues) != len(self._labelnames):
            raise ValueError('Incorrect label count (expected %d, got %s)'
                             % (len(self._labelnames), labelvalues))
        key = tuple(map(str, labelvalues))
        with self._klock:
            child = self._kids.pop(key, None)
            if child is not None:
                self._order = [c for c in self._order if c is not child]

    def remove_by_labels(self, labels):
        """Remove every child whose labels include all of `labels` (a dict)."""
        if not self._labelnames:
            raise ValueError('No label names were set when constructing %s' % self)
        if not isinstance(labels, dict):
            raise TypeError('labels must be a dict of {label_name: label_value}')
        bad = [k for k in labels if k not in self._labelnames]
        if bad:
            raise ValueError('Unknown label names: %s; expected %s' % (bad, self._labelnames))
        want = [(self._labelnames.index(k), str(v)) for k, v in labels.items()]
        with self._klock:
            for key in list(self._kids):
                if all(key[i] == v for i, v in want):
                    del self._kids[key]
            kids = self._kids
            self._order = [c for c in self._order if kids.get(c._lv) is c]

    def clear(self):
        if not self._labelnames:
            return
        with self._klock:
            self._kids = {}
            self._order = []

    # -- collection -------------------------------------------------------------------------
    def describe(self):
        from .families import Metric
        return [Metric(self._name, self._documentation, self._type, self._unit)]

    def collect(self):
        """One Metric family holding every sample (slow path: tests, filters, custom use)."""
        from .families import Metric
        m = Metric(self._name, self._documentation, self._type, self._unit)
        for c in self._order:
            base = dict(zip(self._labelnames, c._lv))
            for suffix, extra, value in c._samples():
                labels = dict(base)
                labels.update(extra)
                m.add_sample(self._name + suffix, labels, value)
        return [m]

    def _created_sample(self):
        if self._has_created and _use_created and self._c > CLOCK_SET_AFTER:
            return [('_created', {}, self._c)]
        return []

    def _write_created(self, w, ns, head):
        """Text format: the `_created` lines, after head() writes their family header."""
        first = True
        for c in self._order:
            if c._c > CLOCK_SET_AFTER:
                if first:
                    head()
                    first = False
                if ns:
                    w(ns)
                w(c._cpfx)
                w(fmt(c._c))
                w('\n')

    def _om_created(self, c, w, ns):
        if c._c > CLOCK_SET_AFTER:
            if ns:
                w(ns)
            w(c._cpfx)
            w(fmt(c._c))
            w('\n')


class Counter(MetricWrapperBase):
    """A value that only goes up (or resets). Integer increments stay exact integers."""
    _type = 'counter'
    _has_created = True

    def _init_child(self):
        name = self._p._name
        pairs = self._pairs()
        self._v = 0
        self._c = wall()
        self._pfx = _prefix(name + '_total', pairs)
        self._cpfx = _prefix(name + '_created', pairs)

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

    def count_exceptions(self, exception=Exception):
        """Decorator / context manager: inc() when `exception` escapes the block."""
        self._observable()

        def leave(exc):
            if isinstance(exc, exception):
                self.inc()
        return _Block(_nothing, leave)

    def _samples(self):
        return [('_total', {}, self._v)] + self._created_sample()

    def _write(self, w, ns, om):
        created = om and _use_created
        for c in self._order:
            if ns:
                w(ns)
            w(c._pfx)
            w(fmt(c._v))
            w('\n')
            if created:
                self._om_created(c, w, ns)


class Gauge(MetricWrapperBase):
    """A value that goes up and down."""
    _type = 'gauge'
    _MULTIPROC_MODES = ('all', 'liveall', 'min', 'livemin', 'max', 'livemax', 'sum', 'livesum',
                        'mostrecent', 'livemostrecent')

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, multiprocess_mode='all'):
        if multiprocess_mode not in self._MULTIPROC_MODES:
            raise ValueError('Invalid multiprocess mode: ' + multiprocess_mode)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry)

    def _init_child(self):
        self._v = 0
        self._pfx = _prefix(self._p._name, self._pairs())

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
        return _Block(self.inc, lambda exc: self.dec())

    def time(self):
        """Decorator / context manager: set the gauge to the block's duration in seconds."""
        return _Timer(self, 'set')

    def set_function(self, f):
        """Take the value from f() at every collection; the other methods become no-ops."""
        self._observable()
        self._fn = f

    def _get(self):
        f = self._fn
        return float(f()) if f else self._v

    def _samples(self):
        return [('', {}, self._get())]

    def _write(self, w, ns, om):
        for c in self._order:
            if ns:
                w(ns)
            w(c._pfx)
            w(fmt(c._v if c._fn is None else c._get()))
            w('\n')


class Summary(MetricWrapperBase):
    """Count and sum of observations (no quantiles, as in prometheus_client)."""
    _type = 'summary'
    _reserved_labelnames = ('quantile',)
    _has_created = True

    def _init_child(self):
        name = self._p._name
        pairs = self._pairs()
        self._n = 0
        self._s = 0
        self._c = wall()
        self._pfx = (_prefix(name + '_count', pairs), _prefix(name + '_sum', pairs))
        self._cpfx = _prefix(name + '_created', pairs)

    def observe(self, amount):
        with self._lock:
            self._n += 1
            self._s += amount

    def time(self):
        """Decorator / context manager: observe the block's duration in seconds."""
        return _Timer(self, 'observe')

    def _samples(self):
        return [('_count', {}, self._n), ('_sum', {}, self._s)] + self._created_sample()

    def _write(self, w, ns, om):
        created = om and _use_created
        for c in self._order:
            pfx = c._pfx
            if ns:
                w(ns)
            w(pfx[0])
            w(fmt(c._n))
            w('\n')
            if ns:
                w(ns)
            w(pfx[1])
            w(fmt(c._s))
            w('\n')
            if created:
                self._om_created(c, w, ns)


class Histogram(MetricWrapperBase):
    """Observations counted in cumulative buckets, with their count and sum."""
    _type = 'histogram'
    _reserved_labelnames = ('le',)
    _has_created = True
    DEFAULT_BUCKETS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0,
                       INF)

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, buckets=DEFAULT_BUCKETS):
        bounds = [float(b) for b in buckets]
        if bounds != sorted(bounds):
            raise ValueError('Buckets not in sorted order')
        if bounds and bounds[-1] != INF:
            bounds.append(INF)
        if len(bounds) < 2:
            raise ValueError('Must have at least two buckets')
        self._upper_bounds = tuple(bounds)
        self._le = tuple([fmt(b) for b in bounds])
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry)

    def _init_child(self):
        p = self._p
        pairs = self._pairs()
        self._b = [0] * len(p._upper_bounds)  # per bucket, not cumulative
        self._s = 0
        self._c = wall()
        bucket = p._name + '_bucket'
        self._pfx = tuple([_prefix(bucket, pairs + [('le', le)]) for le in p._le] +
                          [_prefix(p._name + '_count', pairs), _prefix(p._name + '_sum', pairs)])
        self._cpfx = _prefix(p._name + '_created', pairs)

    def observe(self, amount, exemplar=None):
        """Count amount in the first bucket whose bound is >= it, and add it to the sum."""
        i = 0
        for bound in self._p._upper_bounds:
            if amount <= bound:
                break
            i += 1
        with self._lock:
            self._s += amount
            if i < len(self._b):  # NaN fits no bucket: like upstream, only the sum sees it
                self._b[i] += 1

    def time(self):
        """Decorator / context manager: observe the block's duration in seconds."""
        return _Timer(self, 'observe')

    def _samples(self):
        out = []
        acc = 0
        for le, n in zip(self._p._le, self._b):
            acc += n
            out.append(('_bucket', {'le': le}, acc))
        if self._p._upper_bounds[0] >= 0:  # negative buckets: no sum, so no count either
            out.append(('_count', {}, acc))
            out.append(('_sum', {}, self._s))
        return out + self._created_sample()

    def _write(self, w, ns, om):
        created = om and _use_created
        with_sum = self._upper_bounds[0] >= 0
        for c in self._order:
            pfx = c._pfx
            acc = 0
            i = 0
            for n in c._b:
                acc += n
                if ns:
                    w(ns)
                w(pfx[i])
                w(fmt(acc))
                w('\n')
                i += 1
            if with_sum:  # negative buckets: no sum, so no count either (as OpenMetrics asks)
                if ns:
                    w(ns)
                w(pfx[i])
                w(fmt(acc))
                w('\n')
                if ns:
                    w(ns)
                w(pfx[i + 1])
                w(fmt(c._s))
                w('\n')
            if created:
                self._om_created(c, w, ns)


class Info(MetricWrapperBase):
    """Key-value facts about the target (build, version), exported as `name_info{...} 1.0`."""
    _type = 'info'

    def _init_child(self):
        self._val = {}
        self._pfx = _prefix(self._p._name + '_info', self._pairs())

    def info(self, val):
        names = self._p._labelnames
        if [k for k in val if k in names]:
            raise ValueError('Overlapping labels for Info metric, metric: %s child: %s'
                             % (names, val))
        if [v for v in val.values() if v is None]:
            raise ValueError('Label value cannot be None')
        val = dict(val)
        pfx = _prefix(self._p._name + '_info', self._pairs(*[(k, str(v)) for k, v in val.items()]))
        with self._lock:
            self._val = val
            self._pfx = pfx

    def _samples(self):
        return [('_info', self._val, 1.0)]

    def _write(self, w, ns, om):
        for c in self._order:
            if ns:
                w(ns)
            w(c._pfx)
            w('1.0\n')


class Enum(MetricWrapperBase):
    """Which one of a fixed set of states is current (an OpenMetrics stateset)."""
    _type = 'stateset'

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, states=None):
        if name in labelnames:
            raise ValueError('Overlapping labels for Enum metric: %s' % (name,))
        if not states:
            raise ValueError('No states provided for Enum metric: %s' % (name,))
        self._states = list(states)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry)

    def _init_child(self):
        p = self._p
        self._v = 0
        self._pfx = tuple([_prefix(p._name, self._pairs((p._name, s))) for s in p._states])

    def state(self, state):
        i = self._p._states.index(state)
        with self._lock:
            self._v = i

    def _samples(self):
        name = self._p._name
        return [('', {name: s}, 1 if i == self._v else 0) for i, s in enumerate(self._p._states)]

    def _write(self, w, ns, om):
        for c in self._order:
            i = 0
            for pfx in c._pfx:
                if ns:
                    w(ns)
                w(pfx)
                w('1.0\n' if i == c._v else '0.0\n')
                i += 1
