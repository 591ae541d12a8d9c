# Summary and Histogram: observations (a count and a sum, and buckets of a histogram).
#
# Imported on: CPython, MicroPython, CircuitPython (by programs that use them).
from ._clock import CLOCK_SET_AFTER, stamp
from ._format import CREATED, fmt
from .metrics import REGISTRY, MetricWrapperBase
from .page import labels_text, line, template
from .values import _add, num, value

INF = float('inf')


def _tail(w, name, lab, n, s, c, created):
    # The `_count` and `_sum` lines of one child (Summary, Histogram), and its `_created`
    # line if asked (OpenMetrics).
    line(w, name + '_count', lab, fmt(n))
    line(w, name + '_sum', lab, fmt(s))
    if created and c._c > CLOCK_SET_AFTER:
        line(w, name + '_created', lab, fmt(c._c))


class Summary(MetricWrapperBase):
    # Count and sum of observations (no quantiles, as in prometheus_client).
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
        created = om and CREATED[0]
        for k, c in self._each():
            _tail(w, name, labels_text(self._lt, k), c._n, value(c), c, created)
            if len(o) >= lim:
                yield


class Histogram(MetricWrapperBase):
    # Observations counted in cumulative buckets, with their count and sum.
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
        # Count amount in the first bucket whose bound is >= it, and add it to the sum.
        amount = num(amount)
        i = 0
        for bound in self._p._upper_bounds:
            if amount <= bound:
                break
            i += 1
        if exemplar:
            from .exemplars import keep  # extension: exemplars
            keep(self, exemplar, amount, i)
        with self._lock:
            _add(self, amount)
            if i < len(self._b):  # NaN fits no bucket: like upstream, only the sum sees it
                self._b[i] += 1

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        bucket = name + '_bucket'
        created = om and CREATED[0]
        with_sum = self._upper_bounds[0] >= 0
        les = self._le
        for k, c in self._each():
            acc = 0
            i = 0
            for n in c._b:
                acc += n
                line(w, bucket, labels_text(self._bt, k, les[i]), fmt(acc))
                i += 1
            if with_sum:  # negative buckets: no sum, so no count either (as OpenMetrics asks)
                _tail(w, name, labels_text(self._lt, k), acc, value(c), c, created)
            elif created and c._c > CLOCK_SET_AFTER:
                line(w, name + '_created', labels_text(self._lt, k), fmt(c._c))
            if len(o) >= lim:
                yield
