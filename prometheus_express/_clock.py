# The wall clock (Unix epoch time on every port, and whether it was ever set) and monotonic
# ticks for durations (MicroPython's ticks_ms as it is; other runtimes' through _ticks.py).
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


if hasattr(time, 'ticks_ms'):  # MicroPython: wraps at 2**30, ticks_diff knows how
    _ms, _diff = time.ticks_ms, time.ticks_diff
else:  # CircuitPython, CPython and others
    from ._ticks import clocks
    _ms, _diff = clocks(time)

# ticks(): an opaque monotonic reading, the runtime's own clock (no call of ours in
# between); pass it to elapsed(), which gives the seconds since then (never negative).
if CPYTHON:
    _mono = ticks = time.monotonic

    def elapsed(start):
        return max(_mono() - start, 0)
else:
    ticks = _ms

    def elapsed(start):
        return max(_diff(_ms(), start), 0) / 1000
