"""The exporter's own counters as metrics: exporter_http_requests_total{code} and
exporter_http_errors_total{kind}, read from a server's .counts at each collection.

Imported on: CPython (by default), MicroPython, CircuitPython (with self_metrics=True).
"""
from .families import CounterMetricFamily


class ServerMetrics:
    """A collector for one server's counts; registers itself in registry (if the names are
    taken there, by a second server or a metric of yours, it stays out)."""

    def __init__(self, server, registry):
        self.server = server
        try:
            registry.register(self)
        except ValueError:
            pass

    def describe(self):
        return [CounterMetricFamily('exporter_http_requests', 'HTTP requests answered, by status.',
                                    labels=['code']),
                CounterMetricFamily('exporter_http_errors', 'Socket and handler failures, by kind.',
                                    labels=['kind'])]

    def collect(self):
        requests, errors = self.describe()
        for key, n in sorted(self.server.counts.items(), key=lambda kv: str(kv[0])):
            if key.__class__ is int:
                requests.add_metric([str(key)], float(n))
            else:
                errors.add_metric([key], float(n))
        return [requests, errors]
