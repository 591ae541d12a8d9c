# A lock where the runtime has threads, a no-op where it has none.
#
# Imported on: CPython, MicroPython, CircuitPython.
try:
    from _thread import allocate_lock as new_lock
except ImportError:  # no threads (CircuitPython, many MicroPython ports): nothing to guard
    class _NoLock:
        def __enter__(self):
            return self

        def __exit__(self, a, b, c):  # no *args: that would allocate a tuple per call
            return False

    _NOLOCK = _NoLock()

    def new_lock():
        return _NOLOCK


class Unobservable:
    # The `_lock` of a labelled parent: using the parent directly raises as upstream does.

    def __init__(self, typ):
        self._typ = typ

    def __enter__(self):
        raise ValueError('%s metric is missing label values' % self._typ)

    def __exit__(self, *exc):
        return False
