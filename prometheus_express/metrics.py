"""Counter and Gauge (and, loaded on first use, Summary, Histogram, Info and Enum from
metrics_extra): prometheus_client's API, board-sized.

Imported on: CPython, MicroPython, CircuitPython.

A labelled metric is a parent holding children, one per label-value key (the value itself for
one label, else a tuple). A child is an instance of a small class made once per parent, whose
class attributes are the parent (_p) and its lock (_lock): so a child carries only its
numbers (a Gauge child: one attribute). Lines are written from the key at render time through
the parent's line format, so no per-child text is kept. Rendering is a generator (_rows) that
yields when the output it fills has reached a limit: a server can stop anywhere in a page and
resume later.

Children live in dicts: one on CPython (its dicts keep creation order); on boards 16 small
ones picked by the key's hash, plus the keys in creation order in lists of at most 32, so no
structure ever needs one large contiguous block to grow (a fragmented board heap has none).
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

_BUCKETS = not CPYTHON  # boards: 16 child dicts and chunked order lists (see above)
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
    """(labels format, index) to write a line's labels sorted by name, as prometheus_client
    does: the format has one %s per label, filled with the key's values in index order (-1
    stands for the extra label: le for buckets, the state of an Enum)."""
    ns = list(names)
    if extra:
        ns.append(extra)
    if not ns:
        return ' ', ()
    order = sorted(range(len(ns)), key=lambda i: ns[i])
    return ('{' + ','.join([escape_name(ns[i], False) + '="%s"' for i in order]) + '} ',
            tuple([-1 if i == len(names) else i for i in order]))


def args(t, k, x, v):
    """The values for a line format made from template t: the key's label values in order,
    the extra label x, and the value text v."""
    idx = t[1]
    if not idx:
        return v
    if len(idx) == 1 and x is None:
        return (k, v)
    if x is None and k.__class__ is tuple and idx == tuple(range(len(k))):
        return k + (v,)
    return tuple([x if j < 0 else (k if k.__class__ is str else k[j]) for j in idx]) + (v,)


def line(name, t):
    """A line format: name, labels, value, for args()."""
    return name.replace('%', '%%') + t[0] + '%s\n'


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
    _kids = None      # a labelled parent's children: [{key: child}, ...] (see above)
    _order = None     # boards: the keys in creation order, [[key, ...], ...] (None: removed)
    _esc = None       # {key: escaped key} for the rare values that need escaping
    _fn = None        # Gauge.set_function
    _lt = (' ', ())   # label template of the lines

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
        if labelnames:
            self._klock = new_lock()
            self.clear()
            self._lt = template(labelnames)
            self._lock = _Unobservable(self._type)
            cls = self.__class__
            self._K = type(cls.__name__, (cls,), {'_p': self, '_lock': self._klock})
        else:
            self._lock = new_lock()
            self._init()
        if registry:
            registry.register(self)

    def __str__(self):
        return '%s:%s' % (self._type, self._p._name)

    def __repr__(self):
        return "%s.%s(%s)" % (self.__class__.__module__, self.__class__.__name__,
                               self._p._name)

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
        d = kids[hash(key) & 15] if _BUCKETS else kids[0]
        child = d.get(key)
        if child is None:
            with self._klock:
                d = self._kids[hash(key) & 15] if _BUCKETS else self._kids[0]
                child = d.get(key)
                if child is None:
                    child = self._new(d, key, lv)
        return child

    def _new(self, d, key, lv):
        if CPYTHON:
            for v in lv:
                v.encode('utf-8')  # a lone surrogate fails here, once, not at every scrape
        child = object.__new__(self._K)
        child._init()
        for v in lv:
            if '\\' in v or '"' in v or '\n' in v:
                if self._esc is None:
                    self._esc = {}
                e = tuple([escape_value(x) for x in lv])
                self._esc[key] = e[0] if len(e) == 1 else e
                break
        d[key] = child
        order = self._order
        if order is not None:
            if len(order[-1]) >= 32:
                order.append([key])
            else:
                order[-1].append(key)
        return child

    def remove(self, *labelvalues):
        from ._labelops import remove
        remove(self, labelvalues)

    def remove_by_labels(self, labels):
        """Remove every child whose labels include all of `labels` (a dict)."""
        from ._labelops import remove_by_labels
        remove_by_labels(self, labels)

    def clear(self):
        """Remove every child."""
        if self._labelnames:
            with self._klock:
                self._kids = [{} for _ in range(16 if _BUCKETS else 1)]
                if _BUCKETS:
                    self._order = [[]]
                    self._dead = 0

    def _pairs(self):
        """(key, child) in creation order: CPython a copy taken under the lock; boards walk
        the order lists as they are, so children added or removed meanwhile are no harm."""
        kids = self._kids
        if kids is None:
            return ((None, self),)
        if not _BUCKETS:
            with self._klock:
                return list(kids[0].items())
        return self._walk(kids)

    def _walk(self, kids):
        for chunk in self._order:
            for k in chunk:
                if k is not None:
                    c = kids[hash(k) & 15].get(k)
                    if c is not None:
                        yield k, c

    # -- collection -------------------------------------------------------------------------
    def describe(self):
        from .collection import describe
        return describe(self)

    def collect(self):
        """One Metric family holding every sample (for tests, filters, push of others)."""
        from .collection import collect
        return collect(self)

    def _lines(self, w, o, lim, name, value, t=None, x=None):
        """Write one line per child, name{labels} value(child), through w; yield whenever
        len(o) reached lim (o is what w fills)."""
        t = t or self._lt
        f = line(name, t)
        esc = self._esc
        for k, c in self._pairs():
            if esc:
                k = esc.get(k, k)
            v = value(c)
            if v is not None:
                w(f % args(t, k, x, fmt(v)))
            if len(o) >= lim:
                yield

    def _created_rows(self, w, ns, o, lim, head):
        """Text format: the `_created` lines, after their family header (written before the
        first of them: on a board whose clock is unset there are none)."""
        for _, c in self._pairs():
            if c._c > CLOCK_SET_AFTER:
                break
        else:
            return
        head()
        for _ in self._lines(w, o, lim, ns + self._ename + '_created', _created):
            yield


def _created(c):
    return c._c if c._c > CLOCK_SET_AFTER else None


def _value(c):
    return c._v


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

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        if om and _use_created:  # OpenMetrics: each child's _created right after its _total
            t = self._lt
            f = line(name + '_total', t)
            g = line(name + '_created', t)
            esc = self._esc
            for k, c in self._pairs():
                if esc:
                    k = esc.get(k, k)
                w(f % args(t, k, None, fmt(c._v)))
                if c._c > CLOCK_SET_AFTER:
                    w(g % args(t, k, None, fmt(c._c)))
                if len(o) >= lim:
                    yield
            return
        for _ in self._lines(w, o, lim, name + '_total', _value):
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

    def _rows(self, w, ns, om, o, lim):
        for _ in self._lines(w, o, lim, ns + self._ename, _gauge_value):
            yield


def _gauge_value(c):
    return c._v if c._fn is None else c._get()
