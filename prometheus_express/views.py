# A registry seen through ?name[]=: restricted_registry(names). Our metrics whose samples are
# all wanted are written as on a whole page, from their children; only partly wanted metrics
# and custom collectors go through Metric families (collection.py, loaded for them).
#
# Imported on: CPython, MicroPython, CircuitPython (at the first ?name[]=; small, so that a
# board that once had no room to compile it, and answered 503, soon has).
from ._format import SUFFIXES, Collector


class RestrictedRegistry:
    # A registry's view holding only the samples whose names are in names. Our metrics
    # stream as on a full page when all their sample names are wanted, are skipped when none
    # is, and only otherwise go through collect() (one metric at a time).

    def __init__(self, names, registry):
        self._name_set = set(names)
        self._registry = registry
        self._ns = getattr(registry, '_ns', '')
        self._target_info = None
        if registry._target_info and self._ns + 'target_info' in self._name_set:
            self._target_info = registry._target_info

    def collectors(self):
        # The registry's collectors as the page writes them: our metrics whose samples are
        # all wanted as they are, none of those wanted left out, the others filtered.
        out = []
        ns = self._ns
        for c in self._registry.collectors():
            want = emitted(c, ns) if isinstance(c, Collector) else ()
            n = len([x for x in want if x in self._name_set])
            if n == 0 and want:
                continue
            out.append(c if want and n == len(want) else _Restricted(c, self._name_set, ns))
        return out

    def collect(self):
        # The wanted samples; collect() is called only on collectors that claim a wanted
        # name (or claim none, with support_collectors_without_names).
        reg = self._registry
        ns = self._ns
        want = self._name_set
        from .collection import namespaced, target_info_metric  # extension: families
        if self._target_info:
            yield namespaced(target_info_metric(reg), ns)
        for c in reg.collectors():
            if isinstance(c, Collector):
                names = emitted(c, ns)
            else:
                names = [ns + n for n in reg._claimed.get(id(c), ())]
                if not names and not getattr(reg, '_without_names', False):
                    continue
            if names and not [n for n in names if n in want]:
                continue
            for m in c.collect():
                r = namespaced(m, ns)._restricted_metric(want)
                if r:
                    yield r


class _Restricted:
    # One collector seen through a name filter (custom collectors and partly wanted metrics
    # of ours go through collect()).
    _ns_own = ''  # its families carry the namespace already

    def __init__(self, c, names, ns):
        self.c = c
        self.names = names
        self.ns = ns

    def collect(self):
        from .collection import namespaced  # extension: families
        for m in self.c.collect():
            m = namespaced(m, self.ns)
            r = m._restricted_metric(self.names)
            if r:
                r.unit = m.unit
                yield r


def emitted(metric, ns):
    # The sample names our metric writes (with the registry's namespace).
    base = ns + metric._name
    if metric._type in ('gauge', 'stateset'):
        return [base]
    return [base + s for s in SUFFIXES[metric._type]]
