# A labelled metric's children: made on first use (labels()) and walked in creation order
# (_chunks, _each), as the Children half of every metric class (metrics.py); where a board
# keeps them, and where their values live (value, _put, _add: the float slots below). Removing
# them (remove(), clear()) is one of the rarer calls (removal.py).
#
# Imported on: CPython, MicroPython, CircuitPython (with metrics.py).
#
# A child is keyed by its label values (the value itself for one label, else a tuple). On
# CPython the children are in one dict (its dicts keep creation order). On boards they are in
# as many small dicts as it takes to keep each under ~40 children (a key's dict is picked by
# its hash), and key, child, key, child... are kept in creation order in lists of at most 64
# items made at their full size: no structure ever needs one large contiguous block to grow
# (a fragmented board heap has none).
from ._format import CPYTHON, GC, escape_value

BUCKETS = not CPYTHON  # boards: small child dicts and chunked order lists (see above)


class Children:
    # labels() and the walk in creation order of a labelled metric (the state is the
    # metric's: _kids, _order, _fill, _esc, _dead; metrics.py).

    def labels(self, *labelvalues, **labelkwargs):
        # The child for these label values (positional, or by name), made on first use.
        lv = labelvalues
        kids = self._kids
        if labelkwargs or kids is None or len(lv) != len(self._labelnames):
            from .label_args import label_key  # extension: keywords, or an error to raise
            lv = label_key(self, labelvalues, labelkwargs)
        else:
            for v in lv:
                if v.__class__ is not str:
                    lv = tuple(map(str, lv))
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
                            e = tuple(map(escape_value, lv))
                            self._esc[key] = e[0] if len(e) == 1 else e
                            break
                    d[key] = child
                    if BUCKETS and len(d) > 40:  # boards: no dict grows past ~0.5 KB
                        split(self)
                    if self._order is not None:
                        place(self, key, child)
        return child

    def _chunks(self):
        # [[key, child, key, child, ...], ...] in creation order (a key None: removed). On
        # CPython a copy taken under the lock; boards give their lists as they are: a page
        # written across several polls walks them while children come and go, which is no
        # harm (removals only put None in them; the lists are remade, not changed, when they
        # are compacted).
        kids = self._kids
        if kids is None:
            return [((), self)]
        if BUCKETS:
            return self._order
        out = []
        with self._klock:
            for kc in kids[0].items():
                out += kc
        return [out]

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


def place(m, key, child):
    # Boards: key and child at the end of m's creation order. The order lists are made at
    # their full size (8 slots, then 16, 32, then 64 each) and filled in place: a list grown by
    # append is copied to a larger block each time it doubles, and leaves the old one as a hole
    # between long-lived objects.
    last = m._order[-1]
    f = m._fill
    if f >= len(last):
        GC()  # long-lived: see _put below
        last = [None] * min(len(last) * 2, 64)
        m._order.append(last)
        f = 0
    last[f] = key
    last[f + 1] = child
    m._fill = f + 2


def split(m):
    # Boards: twice as many child dicts (a key's dict is picked by its hash).
    n = len(m._kids) * 2
    new = []
    for _ in range(n):
        new.append({})
    for d in m._kids:
        for k, c in d.items():
            new[hash(k) & (n - 1)][k] = c
    m._kids = new


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
# Boards collect garbage (GC) before each long-lived block a burst of new children needs (a
# slot array every 16 floats, an order list every 8 to 32 children): the block then lands
# low, where that garbage was, instead of above it with the garbage becoming holes beneath
# (bench/board.py: series served in 96 KB went from 350-400 to 500 this way).


def value(c):
    # A child's value (a gauge's from its function, if it has one).
    if c._fn is not None:
        return c._get()
    v = c._v
    if v is None:
        i = c._i
        v = c._p._vals[i >> 4][i & 15]
    return v


def _put(m, x):
    # m's value is the float x, in its slot (the lock held).
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
                GC()  # long-lived: let it take the room the garbage of the last children had
                p._vals.append(_slots(_TC, [0] * 16))
            p._nslot = i + 1
        m._i = i
    p._vals[i >> 4][i & 15] = x
    m._v = None


def _add(m, amount):
    # m's value += amount (the lock held), in its slot where it has one.
    v = m._v
    if v is None:
        i = m._i
        m._p._vals[i >> 4][i & 15] += amount
    elif _slots is not None and amount.__class__ is float:
        _put(m, v + amount)
    else:
        m._v = v + amount


def num(v):
    # A sample value: a Python int stays an exact int (boards have 30-bit floats), anything
    # else goes through float() as prometheus_client does (numpy scalars, Decimal, bool...);
    # too large for a float raises OverflowError here, at the call.
    if v.__class__ is int and -9007199254740992 <= v <= 9007199254740992:
        return v
    return float(v)
