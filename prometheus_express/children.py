# A labelled metric's children: made on first use (labels()), removed (remove(), clear()) and
# walked in creation order (_chunks, _each), as the Children half of every metric class
# (metrics.py); and where a board keeps them.
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
from .values import _detach

BUCKETS = not CPYTHON  # boards: small child dicts and chunked order lists (see above)


class Children:
    # labels(), remove(), clear() and the walk in creation order of a labelled metric (the
    # state is the metric's: _kids, _order, _fill, _esc, _dead; metrics.py).

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

    def remove(self, *labelvalues):
        # Remove the child for these label values (a held reference to it is detached).
        names = self._labelnames
        if not names or len(labelvalues) != len(names):
            from .metric_ops import remove_error  # extension: the error to raise
            remove_error(self, labelvalues)
        lv = tuple(map(str, labelvalues))
        key = lv[0] if len(lv) == 1 else lv
        with self._klock:
            c = self._kids[hash(key) & (len(self._kids) - 1)].pop(key, None)
            if self._labs:
                self._labs.pop(key, None)
            if c is not None and BUCKETS:
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
                if BUCKETS:
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
        GC()  # long-lived: see values.py
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


def unorder(m, key):
    # Boards: the key's place (and its child's) in the order lists becomes None; they are
    # made anew once half of them is gone (a render in progress keeps walking the old ones).
    live = 0
    for chunk in m._order:
        i = 0
        while i < len(chunk):
            k = chunk[i]
            if k is not None:
                if k == key:
                    chunk[i] = chunk[i + 1] = None
                else:
                    live += 1
            i += 2
    m._dead += 1
    if m._dead > 8 and m._dead > live:  # made anew when half of it is gone
        old = m._order
        m._order = [[None] * 8]
        m._fill = 0
        for chunk in old:
            for i in range(0, len(chunk), 2):
                if chunk[i] is not None:
                    place(m, chunk[i], chunk[i + 1])
        m._dead = 0
