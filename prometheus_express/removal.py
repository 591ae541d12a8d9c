# Removing a labelled metric's children: remove() and clear() (a metric's rarer calls: its
# __getattr__ finds them through metric_ops.METHODS; on CPython they are its methods), the
# float slot a removed child gives back (values.py) and its place in the order lists
# (children.py).
#
# Imported on: CPython, MicroPython, CircuitPython: at a program's first remove() or clear(),
# or with staleness.py (expire=, reading()), which removes children while a page is written
# or a sensor has just failed: this is compiled when that module is, never then.
from .children import BUCKETS, place


def remove(metric, *labelvalues):
    # Remove the child for these label values (a held reference to it is detached).
    names = metric._labelnames
    if not names or len(labelvalues) != len(names):
        remove_error(metric, labelvalues)
    lv = tuple(map(str, labelvalues))
    drop(metric, lv[0] if len(lv) == 1 else lv)


def drop(metric, key):
    # Remove the child at key, as the children's dicts key it (the value itself for one
    # label, else the tuple of them): for remove(), and for the callers that walk the keys.
    with metric._klock:
        c = metric._kids[hash(key) & (len(metric._kids) - 1)].pop(key, None)
        if metric._labs:
            metric._labs.pop(key, None)
        if c is not None and BUCKETS:
            detach(metric, c)
            unorder(metric, key)


def clear(metric):
    # Remove every child.
    if metric._labelnames:
        with metric._klock:
            for d in metric._kids or ():
                for c in d.values():
                    detach(metric, c)
            metric._kids = [{}]
            metric._labs = None
            if BUCKETS:
                metric._order = [[None] * 8]
                metric._fill = 0
                metric._dead = 0


def detach(p, c):
    # Boards: a child removed from p gives its float slot back (values.py; a held reference
    # to it keeps working, with its value in itself).
    if c._i is not None:
        if c._v is None:
            c._v = p._vals[c._i >> 4][c._i & 15]
        p._free.append(c._i)
        c._i = None


def unorder(m, key):
    # Boards: the key's place (and its child's) in the order lists (children.py) becomes
    # None; they are made anew once half of them is gone (a render in progress keeps walking
    # the old ones).
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


def remove_error(metric, labelvalues):
    # The error remove() raises for a wrong call, as upstream.
    if not metric._labelnames:
        raise ValueError('No label names were set when constructing %s' % metric)
    raise ValueError('Incorrect label count (expected %d, got %s)'
                     % (len(metric._labelnames), labelvalues))
