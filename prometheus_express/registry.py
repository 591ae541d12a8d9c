# CollectorRegistry and the default REGISTRY.
#
# Imported on: CPython, MicroPython, CircuitPython. What a board rarely calls (collect(),
# get_sample_value(), target info, render()) lives in collection.py, restricted_registry() in
# views.py: loaded at the first such call, so a board compiles them only if they are used.
from ._format import Collector  # noqa: F401 (ours to give: `from .registry import Collector`)
from ._lock import new_lock

class DuplicateTimeseries(ValueError):
    def __init__(self, duplicates):
        super().__init__('Duplicated timeseries in CollectorRegistry: %s' % (duplicates,))
        self.duplicates = duplicates


class CollectorRegistry:
    # Holds collectors in registration order.
    #
    # namespace='foo' prefixes every metric name this registry renders with 'foo_' (as the
    # original prometheus_express did); one metric may be registered with several registries.
    # Also: collect(), restricted_registry(names), set_target_info(labels),
    # get_target_info(), get_sample_value(name, labels), render() (the text page as a str).
    _target_info = None

    def __init__(self, auto_describe=False, target_info=None, namespace='',
                 support_collectors_without_names=False):
        self._collectors = []         # registration order is output order
        self._names = {}              # series name -> collector
        self._claimed = {}            # id(collector) -> names it claimed
        self._auto_describe = auto_describe
        self._without_names = support_collectors_without_names
        self._lock = new_lock()
        self.namespace = namespace
        self._ns = namespace + '_' if namespace else ''
        if target_info:
            self.set_target_info(target_info)

    def register(self, collector):
        with self._lock:
            if isinstance(collector, Collector):
                names = collector._names()
            else:
                from .collection import describe_names  # extension: families
                names = describe_names(self, collector)
            dup = set()
            for n in names:
                if n in self._names:
                    dup.add(n)
            if dup or (names and id(collector) in self._claimed):
                raise DuplicateTimeseries(dup or set(names))
            for name in names:
                self._names[name] = collector
            self._claimed[id(collector)] = names
            self._collectors = self._collectors + [collector]  # copy: renders iterate the old list

    def unregister(self, collector):
        with self._lock:
            for name in self._claimed.pop(id(collector)):
                del self._names[name]
            left = []
            for c in self._collectors:
                if c is not collector:
                    left.append(c)
            self._collectors = left

    def collectors(self):
        # The registered collectors, in registration order (a snapshot).
        return self._collectors

    # The rarer calls, in collection.py (loaded at the first of them).
    def collect(self):
        from .collection import registry_collect  # extension: families
        return registry_collect(self)

    def restricted_registry(self, names):
        from .views import RestrictedRegistry  # extension: ?name[]= views
        return RestrictedRegistry(names, self)

    def get_sample_value(self, name, labels=None):
        from .collection import sample_value  # extension: families
        return sample_value(self, name, labels or {})

    def set_target_info(self, labels):
        from .collection import set_target_info  # extension: families
        set_target_info(self, labels)

    def get_target_info(self):
        return self._target_info

    def render(self):
        # The text page (format 0.0.4) as a str, as prometheus_express 0.0.4 offered.
        from .page import page  # extension: the page writer (loaded with the package)
        out = []
        for _ in page(self, out.append, False):
            pass
        return ''.join(out)


REGISTRY = CollectorRegistry(auto_describe=True)
