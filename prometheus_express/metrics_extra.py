"""Summary, Histogram, Info and Enum: loaded only by programs that use them.

Imported on: CPython, MicroPython, CircuitPython.
"""
from ._clock import wall
from ._format import INF, fmt
from . import metrics
from .metrics import REGISTRY, MetricWrapperBase, _labels


def _count_sum(w, c, count, n, total):
    """The `_count` and `_sum` lines of child c (Summary, Histogram)."""
    w(count)
    w(c._pfx)
    w(fmt(n))
    w('\n')
    w(total)
    w(c._pfx)
    w(fmt(c._s))
    w('\n')


class Summary(MetricWrapperBase):
    """Count and sum of observations (no quantiles, as in prometheus_client)."""
    _type = 'summary'
    _reserved_labelnames = ('quantile',)
    _has_created = True

    def _init_child(self, lv):
        self._n = 0
        self._s = 0
        self._c = wall()
        self._pfx = _labels(self._pairs(lv))

    def observe(self, amount):
        with self._lock:
            self._n += 1
            self._s += amount

    def time(self):
        """Decorator / context manager: observe the block's duration in seconds."""
        from ._timing import Timer
        return Timer(self, 'observe')

    def _write(self, w, ns, om):
        count = self._line_name(ns, '_count')
        total = self._line_name(ns, '_sum')
        created = self._line_name(ns, '_created') if om and metrics._use_created else None
        for c in self._order:
            _count_sum(w, c, count, c._n, total)
            if created:
                self._created_line(c, w, created)


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

    def _init_child(self, lv):
        p = self._p
        self._b = [0] * len(p._upper_bounds)  # per bucket, not cumulative
        self._s = 0
        self._c = wall()
        # the labels of each bucket line (le sorts among the others), then of count/sum/created
        self._pfx = _labels(self._pairs(lv))
        self._bpfx = tuple([_labels(self._pairs(lv, ('le', le))) for le in p._le])

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
        from ._timing import Timer
        return Timer(self, 'observe')


    def _write(self, w, ns, om):
        bucket = self._line_name(ns, '_bucket')
        count = self._line_name(ns, '_count')
        total = self._line_name(ns, '_sum')
        created = self._line_name(ns, '_created') if om and metrics._use_created else None
        with_sum = self._upper_bounds[0] >= 0
        for c in self._order:
            bpfx = c._bpfx
            acc = 0
            i = 0
            for n in c._b:
                acc += n
                w(bucket)
                w(bpfx[i])
                w(fmt(acc))
                w('\n')
                i += 1
            if with_sum:  # negative buckets: no sum, so no count either (as OpenMetrics asks)
                _count_sum(w, c, count, acc, total)
            if created:
                self._created_line(c, w, created)


_ONE = '1.0\n'
_ZERO = '0.0\n'


class Info(MetricWrapperBase):
    """Key-value facts about the target (build, version), exported as `name_info{...} 1.0`."""
    _type = 'info'

    def _init_child(self, lv):
        self._val = {}
        self._pfx = _labels(self._pairs(lv))

    def info(self, val):
        p = self._p
        names = p._labelnames
        if [k for k in val if k in names]:
            raise ValueError('Overlapping labels for Info metric, metric: %s child: %s'
                             % (names, val))
        if [v for v in val.values() if v is None]:
            raise ValueError('Label value cannot be None')
        self._observable()
        val = dict(val)
        lv = ()
        if p is not self:
            from ._slow import key_of
            lv = key_of(p, self)
        pfx = _labels(self._pairs(lv, *[(k, str(v)) for k, v in val.items()]))
        with self._lock:
            self._val = val
            self._pfx = pfx

    def _write(self, w, ns, om):
        name = self._line_name(ns, '_info')
        for c in self._order:
            w(name)
            w(c._pfx)
            w(_ONE)


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

    def _init_child(self, lv):
        p = self._p
        self._v = 0
        self._pfx = tuple([_labels(self._pairs(lv, (p._name, s))) for s in p._states])

    def state(self, state):
        i = self._p._states.index(state)
        with self._lock:
            self._v = i

    def _write(self, w, ns, om):
        name = self._line_name(ns)
        for c in self._order:
            i = 0
            for pfx in c._pfx:
                w(name)
                w(pfx)
                w(_ONE if i == c._v else _ZERO)
                i += 1
