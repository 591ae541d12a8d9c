# Where a labelled metric keeps its children on a board: small dicts that split as they grow
# (a key's dict is picked by its hash), and the keys in creation order in lists made at their
# full size, so no structure ever needs one large contiguous block to grow (a fragmented board
# heap has none). CPython keeps them in one dict (its dicts keep creation order).
#
# Imported on: MicroPython, CircuitPython (with metrics.py); CPython too (never called there).
from ._format import GC


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
    new = [{} for _ in range(n)]
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
