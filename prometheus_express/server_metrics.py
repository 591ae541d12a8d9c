# The exporter's own counters as metrics: exporter_http_requests_total{code} and
# exporter_http_errors_total{kind}.
#
# Imported on: CPython (by default), MicroPython, CircuitPython (with self_metrics=True).
from .metrics import Counter


class ServerMetrics:
    # Two labelled Counters in registry (if the names are taken there, by a second server or
    # a metric of yours, they stay out and count for nobody).

    def __init__(self, registry):
        self.requests = Counter('exporter_http_requests', 'HTTP requests answered, by status.',
                                ['code'], registry=None)
        self.errors = Counter('exporter_http_errors', 'Socket and handler failures, by kind.',
                              ['kind'], registry=None)
        self._kids = {}  # key -> its child
        for m in (self.requests, self.errors):
            try:
                registry.register(m)
            except ValueError:
                pass

    def inc(self, key):
        # One more answer with status key (an int), or failure of kind key (a str).
        c = self._kids.get(key)
        if c is None:
            c = self._kids[key] = (self.requests.labels(str(key)) if key.__class__ is int
                                   else self.errors.labels(key))
        c.inc()
