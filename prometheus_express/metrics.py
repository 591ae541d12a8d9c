# Counter and Gauge, and what every metric type shares (labels, children, their lines):
# prometheus_client's API, board-sized. Summary and Histogram are in summary_histogram.py,
# Info and Enum in info_enum.py.
#
# Imported on: CPython, MicroPython, CircuitPython.
#
# A labelled metric is a parent holding children, one per label-value key (the value itself for
# one label, else a tuple). A child is an instance of a small class made once per parent, whose
# class attributes are the parent (_p) and its lock (_lock): so a child carries only its
# numbers (a Gauge child: one attribute). Lines are written from the key at render time through
# the parent's line format, so no per-child text is kept. Rendering is a generator (_rows) that
# yields when the output it fills has reached a limit: a server can stop anywhere in a page and
# resume later.
#
# Children live in dicts: one on CPython (its dicts keep creation order); on boards as many
# small ones as it takes to keep each under ~40 children (picked by the key's hash), plus key, child, key, child... in creation order in lists of
# at most 64 items, so no structure ever needs one large contiguous block to grow (a
# fragmented board heap has none).
#
# The rarer calls are methods here that load their module on first use (metric_ops.py,
# collection.py, _timing.py, exemplars.py): a board compiles them only if it uses them.
from ._clock import stamp
from ._format import (CPYTHON, SUFFIXES, Collector, escape_name, escape_value, full_name,
                      validate_labelname)
from ._lock import Unobservable, new_lock
from .children import place, split, unorder
from .lines import created_rows, rows, template
from .registry import REGISTRY
from .values import _add, _detach, _put, _slots, num, value  # noqa: F401 (value: ours)

_BUCKETS = not CPYTHON  # boards: small child dicts and chunked order lists (see above)
_LOCKS = {}  # metric type -> the `_lock` of its labelled parents (it only raises)


class MetricWrapperBase(Collector):
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
    _lt = (' ', (), True, (' ',))  # label template of the lines (lines.template)
    _rows = rows  # (lines.py) write the lines of every child
    _created_rows = created_rows

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
            if _BUCKETS:
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
        return [self._name] + [self._name + s for s in SUFFIXES.get(self._type, ())]

    def labels(self, *labelvalues, **labelkwargs):
        # The child for these label values (positional, or by name), made on first use.
        lv = labelvalues
        kids = self._kids
        if labelkwargs or kids is None or len(lv) != len(self._labelnames):
            from .metric_ops import label_key  # extension: keywords, or an error to raise
            lv = label_key(self, labelvalues, labelkwargs)
        else:
            for v in lv:
                if v.__class__ is not str:
                    lv = tuple([str(x) for x in lv])
                    break
        key = lv[0] if len(lv) == 1 else lv
        child = kids[hash(key) & (len(kids) - 1)].get(key)
        if child is None:
            with self._klock:
                kids = self._kids
                d = kids[hash(key) & (len(kids) - 1)]
                child = d.get(key)
                if child is None:
                    if CPYTHON:
                        for v in lv:
                            v.encode('utf-8')  # a lone surrogate fails here, not at scrapes
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
                    if _BUCKETS and len(d) > 40:  # boards: no dict grows past ~0.5 KB
                        split(self)
                    if self._order is not None:
                        place(self, key, child)
        return child

    def remove(self, *labelvalues):
        # Remove the child for these label values (a held reference to it is detached).
        names = self._labelnames
        if not names or len(labelvalues) != len(names):
            from .metric_ops import remove_error  # extension: the error to raise
            remove_error(self, labelvalues)
        lv = tuple([str(v) for v in labelvalues])
        key = lv[0] if len(lv) == 1 else lv
        with self._klock:
            c = self._kids[hash(key) & (len(self._kids) - 1)].pop(key, None)
            if self._labs:
                self._labs.pop(key, None)
            if c is not None and _BUCKETS:
                _detach(self, c)
                unorder(self, key)

    def clear(self):
        # Remove every child.
        if self._labelnames:
            with self._klock:
                for d in self._kids or ():
                    for c in d.values():
                        _detach(self, c)
                self._kids = [{}]
                self._labs = None
                if _BUCKETS:
                    self._order = [[None] * 8]
                    self._fill = 0
                    self._dead = 0

    def _chunks(self):
        # [[key, child, key, child, ...], ...] in creation order (a key None: removed). On
        # CPython a copy taken under the lock; boards give their lists as they are: a page
        # written across several polls walks them while children come and go, which is no
        # harm (removals only put None in them; the lists are remade, not changed, when they
        # are compacted).
        kids = self._kids
        if kids is None:
            return [((), self)]
        if _BUCKETS:
            return self._order
        with self._klock:
            return [[x for kc in kids[0].items() for x in kc]]

    def _each(self):
        # (escaped key, child) in creation order.
        esc = self._esc
        for chunk in self._chunks():
            i = 0
            while i < len(chunk):
                k = chunk[i]
                if k is not None:
                    yield (esc.get(k, k) if esc else k), chunk[i + 1]
                i += 2


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
