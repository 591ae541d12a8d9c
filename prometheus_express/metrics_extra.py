"""Summary, Histogram, Info and Enum: loaded only by programs that use them.

Imported on: CPython, MicroPython, CircuitPython.
"""
from ._clock import stamp
from ._format import fmt

INF = float('inf')
from . import metrics
from .metrics import (REGISTRY, CLOCK_SET_AFTER, MetricWrapperBase, _add, labels_text, num,
                      template, value)


def _line(w, name, lab, v):
    w(name)
    w(lab)
    w(v)
    w('\n')


def _tail(w, name, lab, n, s, c, created):
    """The `_count` and `_sum` lines of one child (Summary, Histogram), and its `_created`
    line if asked (OpenMetrics)."""
    _line(w, name + '_count', lab, fmt(n))
    _line(w, name + '_sum', lab, fmt(s))
    if created and c._c > CLOCK_SET_AFTER:
        _line(w, name + '_created', lab, fmt(c._c))


class Summary(MetricWrapperBase):
    """Count and sum of observations (no quantiles, as in prometheus_client)."""
    _type = 'summary'
    _reserved_labelnames = ('quantile',)
    _has_created = True

    def _init(self):
        self._n = 0
        self._v = 0  # the sum (in a slot on boards once it is a float: see metrics._put)
        self._c = stamp()

    def observe(self, amount):
        amount = num(amount)
        with self._lock:
            self._n += 1
            _add(self, amount)

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        created = om and metrics._use_created
        for k, c in self._each():
            _tail(w, name, labels_text(self._lt, k), c._n, value(c), c, created)
            if len(o) >= lim:
                yield


class Histogram(MetricWrapperBase):
    """Observations counted in cumulative buckets, with their count and sum."""
    _type = 'histogram'
    _reserved_labelnames = ('le',)
    _has_created = True
    DEFAULT_BUCKETS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0,
                       INF)

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, buckets=DEFAULT_BUCKETS, expire=None):
        bounds = [float(b) for b in buckets]
        if bounds != sorted(bounds):
            raise ValueError('Buckets not in sorted order')
        if bounds and bounds[-1] != INF:
            bounds.append(INF)
        if len(bounds) < 2:
            raise ValueError('Must have at least two buckets')
        self._upper_bounds = bounds
        self._le = tuple([fmt(b) for b in bounds])
        self._bt = template(labelnames, 'le')
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         expire=expire)

    def _init(self):
        self._b = [0] * len(self._p._upper_bounds)  # per bucket, not cumulative
        self._v = 0  # the sum (in a slot on boards once it is a float: see metrics._put)
        self._c = stamp()

    def observe(self, amount, exemplar=None):
        """Count amount in the first bucket whose bound is >= it, and add it to the sum."""
        amount = num(amount)
        i = 0
        for bound in self._p._upper_bounds:
            if amount <= bound:
                break
            i += 1
        if exemplar:
            from .metric_ops import exemplar as keep
            keep(self, exemplar, amount, i)
        with self._lock:
            _add(self, amount)
            if i < len(self._b):  # NaN fits no bucket: like upstream, only the sum sees it
                self._b[i] += 1

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        bucket = name + '_bucket'
        created = om and metrics._use_created
        with_sum = self._upper_bounds[0] >= 0
        les = self._le
        for k, c in self._each():
            acc = 0
            i = 0
            for n in c._b:
                acc += n
                _line(w, bucket, labels_text(self._bt, k, les[i]), fmt(acc))
                i += 1
            if with_sum:  # negative buckets: no sum, so no count either (as OpenMetrics asks)
                _tail(w, name, labels_text(self._lt, k), acc, value(c), c, created)
            elif created and c._c > CLOCK_SET_AFTER:
                _line(w, name + '_created', labels_text(self._lt, k), fmt(c._c))
            if len(o) >= lim:
                yield


class Info(MetricWrapperBase):
    """Key-value facts about the target (build, version), exported as `name_info{...} 1.0`."""
    _type = 'info'
    _pfx = None  # a child's `{labels} ` with its info pairs, once info() was called

    _key = ()  # a child's label values (it writes them beside its info pairs)

    def _init(self):
        self._val = {}

    def labels(self, *labelvalues, **labelkwargs):
        c = MetricWrapperBase.labels(self, *labelvalues, **labelkwargs)
        if c._key == ():  # its own copy: info() needs no walk of the parent's children
            c._key = tuple([str(labelkwargs[n] if labelkwargs else labelvalues[i])
                            for i, n in enumerate(self._labelnames)])
        return c

    def info(self, val):
        p = self._p
        names = p._labelnames
        if [k for k in val if k in names]:
            raise ValueError('Overlapping labels for Info metric, metric: %s child: %s'
                             % (names, val))
        if [v for v in val.values() if v is None]:
            raise ValueError('Label value cannot be None')
        with self._lock:  # a labelled parent raises here
            pass
        val = dict(val)
        lv = self._key if p is not self else ()
        from .collection import labelstr
        pairs = sorted(list(zip(names, lv)) + [(k, str(v)) for k, v in val.items()])
        pfx = labelstr(pairs) + ' ' if pairs else ' '
        with self._lock:
            self._val = val
            self._pfx = pfx

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename + '_info'
        for k, c in self._each():
            _line(w, name, labels_text(self._lt, k) if c._pfx is None else c._pfx, '1.0')
            if len(o) >= lim:
                yield


class Enum(MetricWrapperBase):
    """Which one of a fixed set of states is current (an OpenMetrics stateset)."""
    _type = 'stateset'

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, states=None, expire=None):
        if name in labelnames:
            raise ValueError('Overlapping labels for Enum metric: %s' % (name,))
        if not states:
            raise ValueError('No states provided for Enum metric: %s' % (name,))
        self._states = list(states)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         expire=expire)
        from ._format import escape_value
        self._st = template(labelnames, self._name)
        self._es = [escape_value(s) for s in self._states]

    def _init(self):
        self._v = 0

    def state(self, state):
        i = self._p._states.index(state)
        with self._lock:
            self._v = i

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        for k, c in self._each():
            i = 0
            for s in self._es:
                _line(w, name, labels_text(self._st, k, s), '1.0' if i == c._v else '0.0')
                i += 1
            if len(o) >= lim:
                yield


if metrics.CPYTHON:
    __import__('prometheus_express.metric_ops', None, None, ['x']).install(
        (Summary, Histogram, Info, Enum))
