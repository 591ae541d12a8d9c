# Series whose sensor stopped answering leave the page, instead of showing their last value
# for ever: an expiry per metric (`Gauge(..., expire=300)`), and `reading()` for a failed read.
#
# Imported on: CPython, MicroPython, CircuitPython (only by a metric made with expire=, or a
# program that imports it: others pay nothing).
#
#     temperature = Gauge('temperature_celsius', 'Temperature.', ['sensor'], expire=300)
#     errors = Counter('sensor_read_errors', 'Failed sensor reads.', ['sensor'])
#     while True:
#         with reading(temperature, 'bme680', errors):   # a failed read: the series goes
#             temperature.labels('bme680').set(bme680.temperature)
#         server.poll(1)
#
# A child of a metric with expire=S that no set(), inc(), dec() or observe() has touched for S
# seconds (the board's monotonic clock) is removed at the next scrape (or collect(), or remote
# write snapshot): it leaves the page, Prometheus marks the series stale, and a Grafana panel
# shows a gap where the sensor was silent, not its last value drawn flat. It comes back with
# its next update.
from ._clock import elapsed, ticks
from .removal import drop, remove  # (compiled now: it runs while a page is written)

_TOUCH = ('set', 'inc', 'dec', 'observe', 'info', 'state', 'set_to_current_time', '_init')


def expiring(metric, seconds):
    # Make metric's children expire after `seconds` without an update (the metric's hook).
    if not metric._labelnames:
        raise ValueError('expire needs a labelled metric (a series that goes is a child): %s'
                         % metric)
    K = metric._K
    for name in _TOUCH:
        f = getattr(K, name, None)
        if f is not None:
            setattr(K, name, _stamping(f))
    metric._exp = seconds
    chunks = metric._chunks  # every listing of its children (page, collect, remote write)

    def swept():
        _sweep(metric)
        return chunks()
    metric._chunks = swept


def _stamping(f):
    def touched(self, *a, **k):
        self._t = ticks()
        return f(self, *a, **k)
    return touched


def _sweep(m):
    # Remove m's children that were not touched for m._exp seconds.
    limit = m._exp
    old = []
    for d in m._kids or ():
        for k, c in list(d.items()):
            t = getattr(c, '_t', None)
            if t is not None and elapsed(t) > limit:
                old.append(k)
    for k in old:
        drop(m, k)


class reading:
    # with reading(metric, *labelvalues, failures=None): the block reads a sensor and sets
    # the child. If it raises (any Exception), the child is removed (the series leaves the
    # page), `failures` (a Counter with the same labels, or None) is incremented, and the
    # exception ends there: the sensor loop goes on. The exception is kept in .error.

    def __init__(self, metric, *labelvalues, failures=None):
        self.metric = metric
        self.values = labelvalues
        self.failures = failures
        self.error = None

    def __enter__(self):
        return self

    def __exit__(self, kind, e, tb):
        if e is None or not isinstance(e, Exception):
            return False
        self.error = e
        remove(self.metric, *self.values)
        if self.failures is not None:
            (self.failures.labels(*self.values) if self.failures._labelnames
             else self.failures).inc()
        return True
