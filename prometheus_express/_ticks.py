# Monotonic milliseconds where the runtime has no time.ticks_ms (MicroPython's, which
# _clock.py takes as it is): CircuitPython's supervisor.ticks_ms, else time.monotonic_ns or
# time.monotonic.
#
# Imported on: CPython, CircuitPython (by _clock.py; MicroPython does not load it).


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


def clocks(t):
    # (ms(), diff(a, b)) for this runtime's time module t.
    try:
        import supervisor
    except ImportError:
        supervisor = None
    return pick(t, supervisor)
