"""Summary, Histogram, Info and Enum: loaded only by programs that use them.

Imported on: CPython, MicroPython, CircuitPython.
"""
from ._clock import stamp
from ._format import INF, fmt
from . import metrics
from .metrics import REGISTRY, MetricWrapperBase, num, template, wlabels


def _count_sum(w, lt, k, count, n, total, s):
    """The `_count` and `_sum` lines of one child (Summary, Histogram)."""
    w(count)
    wlabels(w, lt, k)
    w(fmt(n))
    w('\n')
    w(total)
    wlabels(w, lt, k)
    w(fmt(s))
    w('\n')


class Summary(MetricWrapperBase):
    """Count and sum of observations (no quantiles, as in prometheus_client)."""
    _type = 'summary'
    _reserved_labelnames = ('quantile',)
    _has_created = True

    def _init(self):
        self._n = 0
        self._s = 0
        self._c = stamp()

    def observe(self, amount):
        amount = num(amount)
        with self._lock:
            self._n += 1
            self._s += amount

    def time(self):
        """Decorator / context manager: observe the block's duration in seconds."""
        from ._timing import Timer
        return Timer(self, 'observe')

    def _rows(self, w, ns, om):
        count = ns + self._ename + '_count'
        total = ns + self._ename + '_sum'
        created = ns + self._ename + '_created' if om and metrics._use_created else None
        lt = self._lt
        for k, c in self._each():
            _count_sum(w, lt, k, count, c._n, total, c._s)
            if created:
                self._created_line(w, created, k, c)
            yield


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
        self._upper_bounds = bounds
        self._le = tuple([fmt(b) for b in bounds])
        self._bt = template(labelnames, 'le')
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry)

    def _init(self):
        self._b = [0] * len(self._p._upper_bounds)  # per bucket, not cumulative
        self._s = 0
        self._c = stamp()

    def observe(self, amount, exemplar=None):
        """Count amount in the first bucket whose bound is >= it, and add it to the sum."""
        amount = num(amount)
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

    def _rows(self, w, ns, om):
        bucket = ns + self._ename + '_bucket'
        count = ns + self._ename + '_count'
        total = ns + self._ename + '_sum'
        created = ns + self._ename + '_created' if om and metrics._use_created else None
        with_sum = self._upper_bounds[0] >= 0
        lt = self._lt
        bt = self._bt
        les = self._le
        for k, c in self._each():
            acc = 0
            i = 0
            for n in c._b:
                acc += n
                w(bucket)
                wlabels(w, bt, k, les[i])
                w(fmt(acc))
                w('\n')
                i += 1
            if with_sum:  # negative buckets: no sum, so no count either (as OpenMetrics asks)
                _count_sum(w, lt, k, count, acc, total, c._s)
            if created:
                self._created_line(w, created, k, c)
            yield


class Info(MetricWrapperBase):
    """Key-value facts about the target (build, version), exported as `name_info{...} 1.0`."""
    _type = 'info'
    _pfx = None  # a child's `{labels} ` with its info pairs, once info() was called

    def _init(self):
        self._val = {}

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
            from ._labelops import key_of
            lv = key_of(p, self)
        from .collection import labelstr
        pairs = sorted(list(zip(names, lv)) + [(k, str(v)) for k, v in val.items()])
        pfx = labelstr(pairs) + ' ' if pairs else ' '
        with self._lock:
            self._val = val
            self._pfx = pfx

    def _rows(self, w, ns, om):
        name = ns + self._ename + '_info'
        lt = self._lt
        for k, c in self._each():
            w(name)
            if c._pfx is None:
                wlabels(w, lt, k)
            else:
                w(c._pfx)
            w('1.0\n')
            yield


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
        from ._format import escape_value
        self._st = template(labelnames, self._name)
        self._es = [escape_value(s) for s in self._states]

    def _init(self):
        self._v = 0

    def state(self, state):
        i = self._p._states.index(state)
        with self._lock:
            self._v = i

    def _rows(self, w, ns, om):
        name = ns + self._ename
        st = self._st
        for k, c in self._each():
            i = 0
            for s in self._es:
                w(name)
                wlabels(w, st, k, s)
                w('1.0\n' if i == c._v else '0.0\n')
                i += 1
            yield
