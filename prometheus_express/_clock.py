"""The wall clock: Unix epoch time on every port, and whether it was ever set.

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
