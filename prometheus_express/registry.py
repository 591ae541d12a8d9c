"""CollectorRegistry and the default REGISTRY.

Imported on: CPython, MicroPython, CircuitPython.
"""
from ._lock import new_lock

_SUFFIXES = {
    'counter': ('_total', '_created'),
    'summary': ('_sum', '_count', '_created'),
    'histogram': ('_bucket', '_sum', '_count', '_created'),
    'gaugehistogram': ('_bucket', '_gsum', '_gcount'),
    'info': ('_info',),
}


class Collector:
    """The base of our own metrics: they render themselves from their children (_rows), so the
    registry and the page writer tell them from custom collectors by this class alone."""


class DuplicateTimeseries(ValueError):
    def __init__(self, duplicates):
        super().__init__('Duplicated timeseries in CollectorRegistry: %s' % (duplicates,))
        self.duplicates = duplicates


class CollectorRegistry:
    """Holds collectors in registration order.

    namespace='foo' prefixes every metric name this registry renders with 'foo_' (as the
    original prometheus_express did); one metric may be registered with several registries.
    """

    def __init__(self, auto_describe=False, target_info=None, namespace='',
                 support_collectors_without_names=False):
        self._collectors = []         # registration order is output order
        self._names = {}              # series name -> collector
        self._collector_names = {}    # id(collector) -> names it claimed
        self._auto_describe = auto_describe
        self._lock = new_lock()
        self._target_info = None
        self.namespace = namespace
        self._ns = namespace + '_' if namespace else ''
        if target_info:
            self.set_target_info(target_info)

    def register(self, collector):
        with self._lock:
            if isinstance(collector, Collector):
                names = collector._names()
            else:
                from .collection import describe_names
                names = describe_names(self, collector)
            dup = [n for n in names if n in self._names]
            if dup or (names and id(collector) in self._collector_names):
                raise DuplicateTimeseries(set(dup) or set(names))
            for name in names:
                self._names[name] = collector
            self._collector_names[id(collector)] = names
            self._collectors = self._collectors + [collector]  # copy: renders iterate the old list

    def unregister(self, collector):
        with self._lock:
            for name in self._collector_names.pop(id(collector)):
                del self._names[name]
            self._collectors = [c for c in self._collectors if c is not collector]

    def collectors(self):
        """The registered collectors, in registration order (a snapshot)."""
        return self._collectors

    def collect(self):
        """Yield every metric family (renamed with the namespace, if any)."""
        from .collection import registry_collect
        return registry_collect(self)

    def restricted_registry(self, names):
        """Collects only the samples whose names are in names (the ?name[]= filter)."""
        from .collection import RestrictedRegistry
        return RestrictedRegistry(names, self)

    def set_target_info(self, labels):
        from .collection import set_target_info
        set_target_info(self, labels)

    def get_target_info(self):
        return self._target_info

    def get_sample_value(self, name, labels=None):
        """The value of one sample, or None. Slow: meant for tests."""
        from .collection import sample_value
        return sample_value(self, name, labels or {})

    def render(self):
        """The text exposition (format 0.0.4) as a str, as prometheus_express 0.0.4 offered."""
        from .exposition import generate_latest
        return generate_latest(self).decode('utf-8')


REGISTRY = CollectorRegistry(auto_describe=True)
