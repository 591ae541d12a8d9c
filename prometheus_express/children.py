# A labelled metric's children: made on first use (labels()) and walked in creation order
# (_chunks, _each), as the Children half of every metric class (metrics.py); and where a
# board keeps them. Removing them (remove(), clear()) is one of the rarer calls (removal.py).
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
