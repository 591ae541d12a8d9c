# Info and Enum: key-value facts about the target, and which one of a fixed set of states
# is current (an OpenMetrics stateset).
#
# Imported on: CPython, MicroPython, CircuitPython (by programs that use them).
from ._format import escape_value, labelstr
from .metrics import REGISTRY, MetricWrapperBase
from .page import labels_text, line, template


class Info(MetricWrapperBase):
    # Key-value facts about the target (build, version), exported as `name_info{...} 1.0`.
    _type = 'info'
    _pfx = None  # a child's `{labels} ` with its info pairs, once info() was called

    _key = ()  # a child's label values (it writes them beside its info pairs)

    def _init(self):
        self._val = {}

    def labels(self, *labelvalues, **labelkwargs):
        c = MetricWrapperBase.labels(self, *labelvalues, **labelkwargs)
        if c._key == ():  # its own copy: info() needs no walk of the parent's children
            c._key = tuple([str(labelkwargs[n] if labelkwargs else labelvalues[i])
                            for i, n in enumerate(self._labelnames)])
        return c

    def info(self, val):
        p = self._p
        names = p._labelnames
        if [k for k in val if k in names]:
            raise ValueError('Overlapping labels for Info metric, metric: %s child: %s'
                             % (names, val))
        if [v for v in val.values() if v is None]:
            raise ValueError('Label value cannot be None')
        with self._lock:  # a labelled parent raises here
            pass
        val = dict(val)
        lv = self._key if p is not self else ()
        pairs = sorted(list(zip(names, lv)) + [(k, str(v)) for k, v in val.items()])
        pfx = labelstr(pairs) + ' ' if pairs else ' '
        with self._lock:
            self._val = val
            self._pfx = pfx

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename + '_info'
        for k, c in self._each():
            line(w, name, labels_text(self._lt, k) if c._pfx is None else c._pfx, '1.0')
            if len(o) >= lim:
                yield


class Enum(MetricWrapperBase):
    # Which one of a fixed set of states is current (an OpenMetrics stateset).
    _type = 'stateset'

    def __init__(self, name, documentation, labelnames=(), namespace='', subsystem='', unit='',
                 registry=REGISTRY, _labelvalues=None, states=None, expire=None):
        if name in labelnames:
            raise ValueError('Overlapping labels for Enum metric: %s' % (name,))
        if not states:
            raise ValueError('No states provided for Enum metric: %s' % (name,))
        self._states = list(states)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, registry,
                         expire=expire)
        self._st = template(labelnames, self._name)
        self._es = [escape_value(s) for s in self._states]

    def _init(self):
        self._v = 0

    def state(self, state):
        i = self._p._states.index(state)
        with self._lock:
            self._v = i

    def _rows(self, w, ns, om, o, lim):
        name = ns + self._ename
        for k, c in self._each():
            i = 0
            for s in self._es:
                line(w, name, labels_text(self._st, k, s), '1.0' if i == c._v else '0.0')
                i += 1
            if len(o) >= lim:
                yield
