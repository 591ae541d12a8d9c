# Where a metric's value lives, and what a value may be.
#
# Imported on: CPython, MicroPython, CircuitPython (with metrics.py).
from ._format import CPYTHON, GC

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
