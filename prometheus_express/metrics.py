"""Counter and Gauge, and what every metric type shares (labels, children, their lines):
prometheus_client's API, board-sized. Summary and Histogram are in summary_histogram.py,
Info and Enum in info_enum.py.

Imported on: CPython, MicroPython, CircuitPython.

A labelled metric is a parent holding children, one per label-value key (the value itself for
one label, else a tuple). A child is an instance of a small class made once per parent, whose
class attributes are the parent (_p) and its lock (_lock): so a child carries only its
numbers (a Gauge child: one attribute). Lines are written from the key at render time through
the parent's line format, so no per-child text is kept. Rendering is a generator (_rows) that
yields when the output it fills has reached a limit: a server can stop anywhere in a page and
resume later.

Children live in dicts: one on CPython (its dicts keep creation order); on boards as many
small ones as it takes to keep each under ~40 children (picked by the key's hash), plus key, child, key, child... in creation order in lists of
at most 64 items, so no structure ever needs one large contiguous block to grow (a
fragmented board heap has none).

The rarer calls are methods here that load their module on first use (metric_ops.py,
collection.py, _timing.py, exemplars.py): a board compiles them only if it uses them.
"""
from ._clock import CLOCK_SET_AFTER, stamp
from ._format import CPYTHON, escape_name, escape_value, fmt, full_name, validate_labelname
from ._lock import Unobservable, new_lock
from ._format import CREATED, SUFFIXES, Collector
from .registry import REGISTRY

_BUCKETS = not CPYTHON  # boards: small child dicts and chunked order lists (see above)

# Boards keep a float value (a gauge's or counter's value, a histogram's or summary's sum)
# in a slot of an array of its parent's (16 floats an array) and overwrite it: a float object
# per update would be a long-lived 16-byte object left wherever the heap had a hole, and a
# sensor loop setting 100 gauges a second fragments a small heap until a scrape finds no
# contiguous block. A child whose value is in a slot has _v None and
# its slot in _i. Ints stay ints in _v (exact past 2**24; a small int costs no allocation).
_slots = None
if not CPYTHON:
    try:
        from array import array as _slots
    except ImportError:
        pass
_TC = 'f' if float('16777217') == 16777216.0 else 'd'
# Boards collect garbage before each long-lived block a burst of new children needs (a slot
# array every 16 floats, an order list every 8 to 32 children): the block then lands low,
# where that garbage was, instead of above it with the garbage becoming holes beneath
# (bench/board.py: series served in 96 KB went from 350-400 to 500 this way).
_gc = None if CPYTHON else __import__('gc').collect


def value(c):
    """A child's value (a gauge's from its function, if it has one)."""
    if c._fn is not None:
        return c._get()
    v = c._v
    if v is None:
        i = c._i
        v = c._p._vals[i >> 4][i & 15]
    return v


def _put(m, x):
    """m's value is the float x, in its slot (the lock held)."""
    i = m._i
    p = m._p
    if i is None:
        if p._vals is None:
            p._vals = []
            p._free = []
        if p._free:
            i = p._free.pop()
        else:
            i = p._nslot
            if not i & 15:
                _gc()  # long-lived: let it take the room the garbage of the last children had
                p._vals.append(_slots(_TC, [0] * 16))
            p._nslot = i + 1
        m._i = i
    p._vals[i >> 4][i & 15] = x
    m._v = None


def _add(m, amount):
    """m's value += amount (the lock held), in its slot where it has one."""
    v = m._v
    if v is None:
        i = m._i
        m._p._vals[i >> 4][i & 15] += amount
    elif _slots is not None and amount.__class__ is float:
        _put(m, v + amount)
    else:
        m._v = v + amount


def _place(m, key, child):
    """Boards: key and child at the end of m's creation order. The order lists are made at
    their full size (8 slots, then 16, 32, then 64 each) and filled in place: a list grown by
    append is copied to a larger block each time it doubles, and leaves the old one as a hole
    between long-lived objects."""
    last = m._order[-1]
    f = m._fill
    if f >= len(last):
        _gc()  # long-lived: see _gc
        last = [None] * min(len(last) * 2, 64)
        m._order.append(last)
        f = 0
    last[f] = key
    last[f + 1] = child
    m._fill = f + 2


def _detach(p, c):
    """A child removed from p gives its float slot back (a held reference to it keeps
    working, with its value in itself)."""
    if c._i is not None:
        if c._v is None:
            c._v = p._vals[c._i >> 4][c._i & 15]
        p._free.append(c._i)
        c._i = None


def num(v):
    """A sample value: a Python int stays an exact int (boards have 30-bit floats), anything
    else goes through float() as prometheus_client does (numpy scalars, Decimal, bool...);
    too large for a float raises OverflowError here, at the call."""
    if v.__class__ is int and -9007199254740992 <= v <= 9007199254740992:
        return v
    return float(v)


# What metrics share: (label names, extra label) -> their template; metric type -> the
# `_lock` of its labelled parents (it only raises). A board's metrics mostly have the same
# labels, and a board pays for every object.
_SHARED = {}


def template(names, extra=None):
    """(labels format, index, as is, perm, pieces) to write a line's labels sorted by name, as
    prometheus_client does: the format has one %s per label, filled with the key's values in
    index order (-1 stands for the extra label: le for buckets, the state of an Enum); as is:
    the key itself fills it (one label, or labels given in sorted order, and no extra).
    Made once per (names, extra): metrics with the same label names share it."""
    names = tuple(names)
    t = _SHARED.get((names, extra))
    if t is not None:
        return t
    ns = list(names)
    if extra:
        ns.append(extra)
    if not ns:
        return ' ', (), True, None, (' ',)
    order = sorted(range(len(ns)), key=lambda i: ns[i])
    idx = tuple([-1 if i == len(names) else i for i in order])
    perm = None  # (key, value text) -> the values of a whole line's format, in its order
    if len(idx) == 2 and not extra:  # a tuple display is much faster than tuple([...])
        a, b = idx
        perm = lambda k, v: (k[a], k[b], v)  # noqa: E731
    elif len(idx) == 3 and not extra:
        a, b, c = idx
        perm = lambda k, v: (k[a], k[b], k[c], v)  # noqa: E731
    f = '{' + ','.join([escape_name(ns[i], False) + '="%s"' for i in order]) + '} '
    t = _SHARED[(names, extra)] = (f, idx, order == list(range(len(ns))) and not extra, perm,
                                   tuple(f.split('%s')))
    return t


def _pieces(w, name, t, k, v):
    """Boards: one line written piece by piece, allocating nothing: for a heap too
    fragmented to hold the formatted line (formatting grows a buffer by doubling)."""
    w(name)
    p = t[4]
    n = len(t[1])
    for j in range(n):
        w(p[j])
        w(k if k.__class__ is str else k[t[1][j]])
    w(p[n])
    w(v)
    w('\n')


def line(w, name, lab, v):
    """Write one line: name, `{labels} ` text, value text."""
    w(name)
    w(lab)
    w(v)
    w('\n')


def labels_text(t, k, x=None):
    """`{labels} ` of a line for key k (and the extra label's value x) by template t."""
    if t[2]:
        return t[0] % k
    return t[0] % tuple([x if j < 0 else (k if k.__class__ is str else k[j]) for j in t[1]])


def line_args(t, k, v):
    """The values of a whole line's format (name, labels by template t, value text v) for
    the cases _rows does not write itself."""
    if t[2]:
        return k + (v,) if k else v
    return tuple([k[j] for j in t[1]]) + (v,)


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
    _nslot = 0
    _dead = 0         # boards: removed children still in the order lists
    _unit = ''
    _fns = False      # a labelled parent: set_function was called on one of its children
    _lt = (' ', (), True, None)  # label template of the lines

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
            self._lock = _SHARED.get(self._type) or _SHARED.setdefault(
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
        """The series names this metric claims in a registry."""
        return [self._name] + [self._name + s for s in SUFFIXES.get(self._type, ())]

    def labels(self, *labelvalues, **labelkwargs):
        """The child for these label values (positional, or by name), made on first use."""
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
                        self._split()
                    if self._order is not None:
                        _place(self, key, child)
        return child

    def _split(self):
        """Boards: twice as many child dicts (a key's dict is picked by its hash)."""
        n = len(self._kids) * 2
        new = [{} for _ in range(n)]
        for d in self._kids:
            for k, c in d.items():
                new[hash(k) & (n - 1)][k] = c
        self._kids = new

    def remove(self, *labelvalues):
        """Remove the child for these label values (a held reference to it is detached)."""
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
                self._unorder(key)

    def _unorder(self, key):
        """Boards: the key's place (and its child's) in the order lists becomes None; they are
        made anew once half of them is gone (a render in progress keeps walking the old ones)."""
        live = 0
        for chunk in self._order:
            i = 0
            while i < len(chunk):
                k = chunk[i]
                if k is not None:
                    if k == key:
                        chunk[i] = chunk[i + 1] = None
                    else:
                        live += 1
                i += 2
        self._dead += 1
        if self._dead > 8 and self._dead > live:  # made anew when half of it is gone
            old = self._order
            self._order = [[None] * 8]
            self._fill = 0
            for chunk in old:
                for i in range(0, len(chunk), 2):
                    if chunk[i] is not None:
                        _place(self, chunk[i], chunk[i + 1])
            self._dead = 0

    def clear(self):
        """Remove every child."""
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
        """[[key, child, key, child, ...], ...] in creation order (a key None: removed). On
        CPython a copy taken under the lock; boards give their lists as they are: a page
        written across several polls walks them while children come and go, which is no
        harm (removals only put None in them; the lists are remade, not changed, when they
        are compacted)."""
        kids = self._kids
        if kids is None:
            return [((), self)]
        if _BUCKETS:
            return self._order
        with self._klock:
            return [[x for kc in kids[0].items() for x in kc]]

    def _each(self):
        """(escaped key, child) in creation order."""
        esc = self._esc
        for chunk in self._chunks():
            i = 0
            while i < len(chunk):
                k = chunk[i]
                if k is not None:
                    yield (esc.get(k, k) if esc else k), chunk[i + 1]
                i += 2

    def _created_rows(self, w, ns, o, lim, head):
        """Text format: the `_created` lines, after their family header (head() writes it
        before the first of them: on a board whose clock is unset there are none)."""
        for _, c in self._each():
            if c._c > CLOCK_SET_AFTER:
                break
        else:
            return
        head()
        name = ns + self._ename + '_created'
        for k, c in self._each():
            if c._c > CLOCK_SET_AFTER:
                w(name)
                w(labels_text(self._lt, k))
                w(fmt(c._c))
                w('\n')
            if len(o) >= lim:
                yield

    def _rows(self, w, ns, om, o, lim):
        """Write the lines of every child through w (OpenMetrics if om); yield whenever
        len(o) reached lim (o is what w fills). The hot loop of every scrape."""
        t = self._lt
        name = ns + self._ename
        created = None
        if self._type == 'counter':
            created = name + '_created' if om and CREATED[0] else None
            name += '_total'
        fn = self._fn is not None or self._fns
        if CPYTHON:
            from .cpython_rows import cpython_rows  # extension: CPython's render loop
            yield from cpython_rows(self, w, name, created, t, fn, o, lim)
            return
        vals = self._vals
        esc = self._esc
        one = len(t[1]) == 1
        perm = t[3]
        a = b = None  # two labels: their key positions in name order, tupled inline below
        if perm is not None and len(t[1]) == 2:
            a, b = t[1]
        f = name.replace('%', '%%') + t[0] + '%s\n'  # a whole line: name{labels} value
        for chunk in self._chunks():
            # range(): the lists never change length (a removal puts None in place)
            for i in range(0, len(chunk), 2):
                k = chunk[i]
                if k is not None:
                    c = chunk[i + 1]
                    if esc:
                        k = esc.get(k, k)
                    v = c._get() if fn else c._v
                    if v is None:
                        v = c._i
                        v = vals[v >> 4][v & 15]
                    v = fmt(v)
                    try:
                        w(f % ((k, v) if one else (k[a], k[b], v) if a is not None else
                               perm(k, v) if perm else line_args(t, k, v)))
                    except MemoryError:
                        _pieces(w, name, t, k, v)
                    if created and c._c > CLOCK_SET_AFTER:  # OpenMetrics: after _total
                        w(created)
                        w(labels_text(t, k))
                        w(fmt(c._c))
                        w('\n')
                    if len(o) >= lim:
                        yield


class Counter(MetricWrapperBase):
    """A value that only goes up (or resets). Integer increments stay exact integers."""
    _type = 'counter'
    _has_created = True

    def _init(self):
        self._v = 0
        self._c = stamp()

    def inc(self, amount=1, exemplar=None):
        """Add amount (default 1). An exemplar (a dict of labels) shows in OpenMetrics."""
        amount = num(amount)
        if amount < 0:
            raise ValueError('Counters can only be incremented by non-negative amounts.')
        if exemplar:
            from .exemplars import keep  # extension: exemplars
            keep(self, exemplar, amount)
        with self._lock:
            _add(self, amount)


class Gauge(MetricWrapperBase):
    """A value that goes up and down."""
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
