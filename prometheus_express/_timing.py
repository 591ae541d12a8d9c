# Monotonic ticks for durations, timers and the context-manager/decorator helpers of the
# metrics (loaded when first used: the server, time(), count_exceptions(), track_inprogress()).
#
# Imported on: CPython, MicroPython, CircuitPython.
from ._clock import elapsed, ticks  # noqa: F401 (re-exported for older callers)


def exception_counter(counter, exception):
    # count_exceptions(): inc() the counter when `exception` escapes the block.
    def leave(exc):
        if isinstance(exc, exception):
            counter.inc()
    return Block(None, leave)


def inprogress(gauge):
    # track_inprogress(): inc() on entry, dec() on exit.
    return Block(gauge.inc, lambda exc: gauge.dec())


def _wrap(f, wrapped):
    for attr in ('__name__', '__qualname__', '__doc__', '__module__'):
        try:
            setattr(wrapped, attr, getattr(f, attr))
        except (AttributeError, TypeError):  # MicroPython functions take no attributes
            pass
    try:
        wrapped.__wrapped__ = f
    except (AttributeError, TypeError):
        pass
    return wrapped


class Timer:
    # Context manager and decorator that passes the elapsed seconds to metric.<method>.

    def __init__(self, metric, method):
        self._metric = metric
        self._method = method
        self.duration = None

    def __enter__(self):
        self._start = ticks()
        return self

    def __exit__(self, typ, value, tb):
        self.duration = elapsed(self._start)
        getattr(self._metric, self._method)(self.duration)
        return False

    def labels(self, *args, **kw):
        self._metric = self._metric.labels(*args, **kw)

    def __call__(self, f):
        def wrapped(*args, **kw):
            with Timer(self._metric, self._method):  # a new timer per call: reentrant
                return f(*args, **kw)
        return _wrap(f, wrapped)


class Block:
    # Context manager and decorator calling enter() and leave(exc) around a block.

    def __init__(self, enter, leave):
        self._enter = enter
        self._leave = leave

    def __enter__(self):
        if self._enter is not None:
            self._enter()

    def __exit__(self, typ, value, tb):
        self._leave(value)
        return False

    def __call__(self, f):
        def wrapped(*args, **kw):
            with self:
                return f(*args, **kw)
        return _wrap(f, wrapped)
