"""Wall clock (Unix epoch on every port) and monotonic ticks for durations.

Imported on: CPython, MicroPython, CircuitPython.
"""
import time

try:
    # ESP32, STM32, SAMD... count from 2000-01-01; the Unix and wasm ports from 1970.
    _EPOCH = 946684800 if time.gmtime(0)[0] == 2000 else 0
except Exception:  # a port without gmtime: assume Unix epoch
    _EPOCH = 0

# 2020-01-01T00:00:00Z. A clock behind this was never set (a board fresh from reset says 2000).
CLOCK_SET_AFTER = 1577836800


def wall():
    """Seconds since 1970-01-01 UTC, as a float where the port has one."""
    return time.time() + _EPOCH


def wall_is_set(t=None):
    """True when the wall clock (or the time t it gave) is plausibly set."""
    return (wall() if t is None else t) > CLOCK_SET_AFTER


if hasattr(time, 'ticks_ms'):
    _ticks_ms = time.ticks_ms
    _ticks_diff = time.ticks_diff

    def ticks():
        """An opaque monotonic reading; pass it to elapsed()."""
        return _ticks_ms()

    def elapsed(start):
        """Seconds since ticks() returned start (never negative)."""
        return max(_ticks_diff(_ticks_ms(), start), 0) / 1000
else:
    _mono = getattr(time, 'perf_counter', None) or getattr(time, 'monotonic', time.time)

    def ticks():
        return _mono()

    def elapsed(start):
        return max(_mono() - start, 0)
