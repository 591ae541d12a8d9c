# The wall clock (Unix epoch time on every port, and whether it was ever set) and monotonic
# ticks for durations.
#
# Imported on: CPython, MicroPython, CircuitPython.
import time

from ._format import CPYTHON

try:
    # ESP32, STM32, SAMD... count from 2000-01-01; the Unix and wasm ports from 1970.
    _EPOCH = 946684800 if time.gmtime(0)[0] == 2000 else 0
except Exception:  # a port without gmtime: assume Unix epoch
    _EPOCH = 0

# 2020-01-01T00:00:00Z. On a board a clock behind this was never set (it says 2000 after a
# reset): `_created` is left out then. CPython's clock is always taken as set, as upstream does.
CLOCK_SET_AFTER = float('-inf') if CPYTHON else 1577836800


def wall():
    # Seconds since 1970-01-01 UTC, as a float where the port has one.
    return time.time() + _EPOCH


_last = [None, None]


def stamp():
    # wall() for a creation time. On boards a time is a boxed object (16-32 bytes): children
    # made in the same second share one, so a series pays nothing for its `_created`.
    if CPYTHON:
        return time.time() + _EPOCH
    t = time.time()
    if _last[0] != t:
        _last[0] = t
        _last[1] = t + _EPOCH
    return _last[1]


def pick(t, sup=None):
    # (ms(), diff(a, b)) for durations, from what the firmware has: MicroPython's
    # time.ticks_ms (wraps at 2**30, ticks_diff knows how), CircuitPython's supervisor.ticks_ms
    # (wraps at 2**29), else time.monotonic_ns (exact), else time.monotonic (a float: on
    # CircuitPython it loses resolution as the board stays up) or time.time.
    if hasattr(t, 'ticks_ms'):
        return t.ticks_ms, t.ticks_diff
    f = getattr(sup, 'ticks_ms', None)
    if f is not None:
        def diff(a, b):
            d = (a - b) & 0x1fffffff
            return d - 0x20000000 if d & 0x10000000 else d
        return f, diff
    ns = getattr(t, 'monotonic_ns', None)
    if ns is not None:
        return (lambda: ns() // 1000000), (lambda a, b: a - b)
    mono = getattr(t, 'monotonic', None) or t.time
    return (lambda: int(mono() * 1000)), (lambda a, b: a - b)


try:
    import supervisor
except ImportError:
    supervisor = None
_ms, _diff = pick(time, supervisor)
del supervisor

if CPYTHON:
    _mono = time.monotonic

    def ticks():
        # An opaque monotonic reading; pass it to elapsed().
        return _mono()

    def elapsed(start):
        # Seconds since ticks() returned start (never negative).
        return max(_mono() - start, 0)
else:
    def ticks():
        return _ms()

    def elapsed(start):
        return max(_diff(_ms(), start), 0) / 1000
