"""Counter and Gauge (and, loaded on first use, Summary, Histogram, Info and Enum from
metrics_extra): prometheus_client's API, board-sized.

Imported on: CPython, MicroPython, CircuitPython.

A labelled metric is a parent holding children, one per label-value key (the value itself for
one label, else a tuple). A child is an instance of a small class made once per parent, whose
class attributes are the parent (_p) and its lock (_lock): so a child carries only its
numbers (a Gauge child: one attribute). Lines are written from the key at render time through
the parent's label template, so no per-child text is kept. Rendering is a generator (_rows)
that yields after each child: a server can stop anywhere in a page and resume later.
"""
from ._clock import CLOCK_SET_AFTER, stamp
from ._format import CPYTHON, escape_name, escape_value, fmt, full_name, validate_labelname
from ._lock import new_lock
from .registry import REGISTRY, Collector

_use_created = True
try:
    import os
    if os.getenv('PROMETHEUS_DISABLE_CREATED_SERIES', 'False').lower() in ('true', '1', 't'):
        _use_created = False
except (ImportError, AttributeError):
    pass

_MAXI = 9007199254740992  # 2**53: larger ints are taken as floats, as upstream does


def disable_created_metrics():
    """Stop exporting `_created` series for counters, histograms and summaries."""
    global _use_created
    _use_created = False


def enable_created_metrics():
    """Export `_created` series again (on boards they are left out while the clock is unset)."""
    global _use_created
    _use_created = True


def __getattr__(name):  # from prometheus_express.metrics import Histogram, as upstream
    if name in ('Summary', 'Histogram', 'Info', 'Enum'):
        from . import metrics_extra
        return getattr(metrics_extra, name)
    raise AttributeError(name)


def num(v):
    """A sample value: a Python int stays an exact int (boards have 30-bit floats), anything
    else goes through float() as prometheus_client does (numpy scalars, Decimal, bool...);
    too large for a float raises OverflowError here, at the call."""
    if v.__class__ is int and -_MAXI <= v <= _MAXI:
        return v
    return float(v)


def template(names, extra=None):
    """(literals, index) to write a line's labels sorted by name, as prometheus_client does:
    literals[0], value of index[0], literals[1], ... literals[-1] ends with '} '. An index of
    -1 stands for the extra label (le for buckets, the state of an Enum)."""
    ns = list(names)
    if extra:
        ns.append(extra)
    if not ns:
        return (' ',), ()
    order = sorted(range(len(ns)), key=lambda i: ns[i])
    lits = []
    sep = '{'
    for i in order:
        lits.append(sep + escape_name(ns[i], False) + '="')
        sep = '",'
    lits.append('"} ')
    return tuple(lits), tuple([-1 if i == len(names) else i for i in order])


def wlabels(w, t, key, x=None):
    """Write the `{labels} ` of one line for a child's key (escaped) through w."""
    lits, idx = t
    i = 0
    for j in idx:
        w(lits[i])
        w(x if j < 0 else (key if key.__class__ is str else key[j]))
        i += 1
    w(lits[i])


def _needs_escape(v):
    return '\\' in v or '"' in v or '\n' in v


class _Unobservable:
    """The `_lock` of a labelled parent: using the parent directly raises as upstream does."""

    def __init__(self, typ):
        self._typ = typ

    def __enter__(self):
        raise ValueError('%s metric is missing label values' % self._typ)

    def __exit__(self, *exc):
        return False


class MetricWrapperBase(Collector):
    _type = None
    _reserved_labelnames = ()
    _has_created = False
    _kids = None      # a labelled parent's {key: child}
    _order = None     # on boards, the keys in creation order (None where removed)
    _esc = None       # {key: escaped key} for the rare values that need escaping
    _fn = None        # Gauge.set_function
    _lt = ((' ',), ())  # label template of the lines

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, multiprocess_mode='all'):
        if multiprocess_mode != 'all':  # a Gauge's; accepted as upstream, nothing to do here
            from ._labelops import check_mode
            check_mode(self, multiprocess_mode)
        self._name = full_name(self._type, name, namespace, subsystem, unit)
        labelnames = tuple(labelnames)
        for l in labelnames:
            validate_labelname(l)
            if l in self._reserved_labelnames:
                raise ValueError('Reserved label metric name: ' + l)
        self._ename = escape_name(self._name)  # as written: UTF-8 names escaped to '_'
        if CPYTHON:
            documentation.encode('utf-8')  # a lone surrogate raises here (a ValueError)
        self._documentation = documentation
        self._unit = unit
        self._labelnames = labelnames
        self._p = self
        self._prepare()
        if labelnames:
            self._kids = {}
            self._klock = new_lock()
            if not CPYTHON:
                self._order = []
                self._dead = 0
            self._lt = template(labelnames)
            self._lock = _Unobservable(self._type)
            cls = self.__class__
            self._K = type(cls.__name__, (cls,), {'_p': self, '_lock': self._klock})
        else:
            self._lock = new_lock()
            self._init()
        if registry:
            registry.register(self)

    def _prepare(self):
        pass

    def __str__(self):
        return '%s:%s' % (self._type, self._p._name)

    def __repr__(self):
        return '%s(%s)' % (self.__class__.__name__, self._p._name)

    def _observable(self):
        with self._lock:
            pass

    def _names(self):
        """The series names this metric claims in a registry."""
        from .registry import _SUFFIXES
        return [self._name] + [self._name + s for s in _SUFFIXES.get(self._type, ())]

    # -- labels -----------------------------------------------------------------------------
    def labels(self, *labelvalues, **labelkwargs):
        """The child for these label values (positional, or by name), made on first use."""
        lv = labelvalues
        kids = self._kids
        if labelkwargs or kids is None or len(lv) != len(self._labelnames):
            from ._labelops import label_key  # keywords, or an error to raise
            lv = label_key(self, labelvalues, labelkwargs)
        else:
            for v in lv:
                if v.__class__ is not str:
                    lv = tuple([str(x) for x in lv])
                    break
        key = lv[0] if len(lv) == 1 else lv
        child = kids.get(key)
        if child is None:
            with self._klock:
                child = self._kids.get(key)
                if child is None:
                    child = self._new(key, lv)
        return child

    def _new(self, key, lv):
        bad = [v for v in lv if _needs_escape(v)]
        if CPYTHON:
            for v in lv:
                v.encode('utf-8')  # a lone surrogate fails here, once, not at every scrape
        child = object.__new__(self._K)
        child._init()
        if bad:
            if self._esc is None:
                self._esc = {}
            e = tuple([escape_value(v) for v in lv])
            self._esc[key] = e[0] if len(e) == 1 else e
        self._kids[key] = child
        if self._order is not None:
            self._order.append(key)
        return child

    def remove(self, *labelvalues):
        from ._labelops import remove
        remove(self, labelvalues)

    def remove_by_labels(self, labels):
        """Remove every child whose labels include all of `labels` (a dict)."""
        from ._labelops import remove_by_labels
        remove_by_labels(self, labels)

    def clear(self):
        if self._labelnames:
            with self._klock:
                self._kids = {}
                if self._order is not None:
                    self._order = []
                    self._dead = 0

    def _each(self):
        """Yield (escaped key, child) in creation order; safe while other code (or threads)
        add and remove children: CPython iterates a copy taken under the lock, boards walk
        the order list by index (removed keys are None there)."""
        kids = self._kids
        if kids is None:
            yield None, self
            return
        esc = self._esc
        order = self._order
        if order is None:
            with self._klock:
                items = list(kids.items())
            for k, c in items:
                yield (esc.get(k, k) if esc else k), c
            return
        i = 0
        while i < len(order):
            k = order[i]
            i += 1
            if k is not None:
                c = kids.get(k)
                if c is not None:
                    yield (esc.get(k, k) if esc else k), c

    # -- collection -------------------------------------------------------------------------
    def describe(self):
        from .collection import describe
        return describe(self)

    def collect(self):
        """One Metric family holding every sample (for tests, filters, push of others)."""
        from .collection import collect
        return collect(self)

    def _created_rows(self, w, ns, head):
        """Text format: the `_created` lines, after their family header (written before the
        first of them: on a board whose clock is unset there are none)."""
        name = ns + self._ename + '_created'
        lt = self._lt
        for k, c in self._each():
            if c._c > CLOCK_SET_AFTER:
                if head is not None:
                    head()
                    head = None
                w(name)
                wlabels(w, lt, k)
                w(fmt(c._c))
                w('\n')
            yield

    def _created_line(self, w, name, k, c):
        if c._c > CLOCK_SET_AFTER:
            w(name)
            wlabels(w, self._lt, k)
            w(fmt(c._c))
            w('\n')


class Counter(MetricWrapperBase):
    """A value that only goes up (or resets). Integer increments stay exact integers."""
    _type = 'counter'
    _has_created = True

    def _init(self):
        self._v = 0
        self._c = stamp()

    def inc(self, amount=1, exemplar=None):
        """Add amount (default 1). Exemplars are accepted and not exported."""
        amount = num(amount)
        if amount < 0:
            raise ValueError('Counters can only be incremented by non-negative amounts.')
        with self._lock:
            self._v += amount

    def reset(self):
        with self._lock:
            self._v = 0
            self._c = stamp()

    def count_exceptions(self, exception=Exception):
        """Decorator / context manager: inc() when `exception` escapes the block."""
        self._observable()
        from ._timing import exception_counter
        return exception_counter(self, exception)

    def _rows(self, w, ns, om):
        name = ns + self._ename + '_total'
        created = ns + self._ename + '_created' if om and _use_created else None
        lt = self._lt
        for k, c in self._each():
            w(name)
            wlabels(w, lt, k)
            w(fmt(c._v))
            w('\n')
            if created:
                self._created_line(w, created, k, c)
            yield


class Gauge(MetricWrapperBase):
    """A value that goes up and down."""
    _type = 'gauge'

    def _init(self):
        self._v = 0

    def inc(self, amount=1):
        amount = num(amount)
        with self._lock:
            self._v += amount

    def dec(self, amount=1):
        amount = num(amount)
        with self._lock:
            self._v -= amount

    def set(self, value):
        value = num(value)
        with self._lock:
            self._v = value

    def set_to_current_time(self):
        from ._clock import wall
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

    def _rows(self, w, ns, om):
        name = ns + self._ename
        lt = self._lt
        for k, c in self._each():
            w(name)
            wlabels(w, lt, k)
            w(fmt(c._v if c._fn is None else c._get()))
            w('\n')
            yield
