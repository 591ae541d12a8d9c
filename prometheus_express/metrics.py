# Counter and Gauge, and what every metric type shares: its name, help, label names and
# registration, its children (children.py) and their lines (page.py). prometheus_client's API,
# board-sized. Summary and Histogram are in summary_histogram.py, Info and Enum in info_enum.py.
#
# Imported on: CPython, MicroPython, CircuitPython.
#
# A labelled metric is a parent holding children, one per label-value key. A child is an
# instance of a small class made once per parent, whose class attributes are the parent (_p)
# and its lock (_lock): so a child carries only its numbers (a Gauge child: one attribute).
# Lines are written from the key at render time through the parent's line format, so no
# per-child text is kept. Rendering is a generator (_rows) that yields when the output it
# fills has reached a limit: a server can stop anywhere in a page and resume later.
#
# The rarer calls are methods here that load their module on first use (metric_ops.py,
# collection.py, _timing.py, exemplars.py): a board compiles them only if it uses them.
from ._clock import stamp
from ._format import CPYTHON, SUFFIXES, Collector, escape_name, full_name, validate_labelname
from ._lock import Unobservable, new_lock
from .children import BUCKETS, Children
from .page import rows, template
from .registry import REGISTRY
from .values import _add, _put, _slots, num, value  # noqa: F401 (value: ours)

_LOCKS = {}  # metric type -> the `_lock` of its labelled parents (it only raises)


class MetricWrapperBase(Children, Collector):
    _type = None
    _reserved_labelnames = ()
    _has_created = False
    _has_ex = False  # an exemplar was given: OpenMetrics pages go through collect()
    _kids = None      # a labelled parent's children: [{key: child}, ...] (see above)
    _order = None     # boards: the keys in creation order, [[key, ...], ...] (None: removed)
    _fill = 0         # boards: the next free place in the last order list
    _esc = None       # {key: escaped key} for the rare values that need escaping
    _fn = None        # Gauge.set_function
    _i = None         # boards: the slot of a float value (see _put)
    _vals = None      # boards: the float slots of a metric's children
    _labs = None      # CPython: {key: its `{labels} ` text}
    _pc = None        # CPython: its text as last written, and from what (cpython_rows.py)
    _nslot = 0
    _dead = 0         # boards: removed children still in the order lists
    _unit = ''
    _fns = False      # a labelled parent: set_function was called on one of its children
    _lt = (' ', (), True, (' ',))  # label template of the lines (page.template)
    _rows = rows  # (page.py) write the lines of every child

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, multiprocess_mode='all', expire=None):
        if multiprocess_mode != 'all':  # a Gauge's; accepted as upstream, nothing to do here
            from .metric_ops import check_mode  # extension: the rarer calls
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
        if unit:
            self._unit = unit
        self._labelnames = labelnames
        self._p = self
        if labelnames:  # (a board pays for every attribute: defaults stay in the class)
            self._klock = new_lock()
            self._lt = template(labelnames)
            self._lock = _LOCKS.get(self._type) or _LOCKS.setdefault(
                self._type, Unobservable(self._type))
            cls = self.__class__
            self._K = type(cls.__name__, (cls,), {'_p': self, '_lock': self._klock})
            self._kids = [{}]
            if BUCKETS:
                self._order = [[None] * 8]
        else:
            self._lock = new_lock()
            self._init()
        if expire:
            from .staleness import expiring  # extension: series that go stale
            expiring(self, expire)
        if registry:
            registry.register(self)

    _value = value  # child._value(): its value (for collect() & co.)

    def __str__(self):
        return '%s:%s' % (self._type, self._p._name)

    def __getattr__(self, name):  # the rarer calls (collect(), timers, reset()...)
        if name[:2] == '__':
            raise AttributeError(name)
        from .metric_ops import method  # extension: the rarer calls
        return method(self, name)

    def _names(self):
        # The series names this metric claims in a registry.
        names = [self._name]
        for s in SUFFIXES.get(self._type, ()):
            names.append(self._name + s)
        return names


class Counter(MetricWrapperBase):
    # A value that only goes up (or resets). Integer increments stay exact integers.
    _type = 'counter'
    _has_created = True

    def _init(self):
        self._v = 0
        self._c = stamp()

    def inc(self, amount=1, exemplar=None):
        # Add amount (default 1). An exemplar (a dict of labels) shows in OpenMetrics.
        amount = num(amount)
        if amount < 0:
            raise ValueError('Counters can only be incremented by non-negative amounts.')
        if exemplar:
            from .exemplars import keep  # extension: exemplars
            keep(self, exemplar, amount)
        with self._lock:
            _add(self, amount)


class Gauge(MetricWrapperBase):
    # A value that goes up and down.
    _type = 'gauge'

    def _init(self):
        self._v = 0

    def inc(self, amount=1):
        amount = num(amount)
        with self._lock:
            _add(self, amount)

    def dec(self, amount=1):
        self.inc(-num(amount))

    def set(self, value):
        value = num(value)
        with self._lock:
            if value.__class__ is float and _slots is not None:
                _put(self, value)
            else:
                self._v = value
