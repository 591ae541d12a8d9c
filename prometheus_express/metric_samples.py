# Our metrics' samples without Metric families: each child with its label values, and its
# samples as (suffix, extra labels, value), as prometheus_client's _child_samples gives them.
# collect() builds families from these; remote write sends them as they are.
#
# Imported on: CPython, MicroPython, CircuitPython (by collection.py and remote_write.py).
from ._clock import CLOCK_SET_AFTER
from ._format import CREATED


def children(metric):
    # [(label values tuple, child)] in creation order, copied under the metric's lock.
    if metric._kids is None:
        return [((), metric)]
    out = []
    for chunk in metric._chunks():  # CPython: a copy made under the metric's lock
        for i in range(0, len(chunk), 2):
            k = chunk[i]
            if k is not None:
                out.append((k if isinstance(k, tuple) else (k,), chunk[i + 1]))
    return out


def samples(metric, c):
    # [(suffix, extra labels, value)] of child c, as prometheus_client's _child_samples.
    t = metric._type
    if t == 'counter':
        out = [('_total', {}, c._value())]
    elif t == 'gauge':
        out = [('', {}, c._value())]
    elif t == 'summary':
        out = [('_count', {}, c._n), ('_sum', {}, c._value())]
    elif t == 'histogram':
        out = []
        acc = 0
        for le, n in zip(metric._le, c._b):
            acc += n
            out.append(('_bucket', {'le': le}, acc))
        if metric._upper_bounds[0] >= 0:  # negative buckets: no sum, so no count either
            out.append(('_count', {}, acc))
            out.append(('_sum', {}, c._value()))
    elif t == 'info':
        return [('_info', c._val, 1.0)]
    else:  # stateset
        return [('', {metric._name: s}, 1 if i == c._v else 0)
                for i, s in enumerate(metric._states)]
    if metric._has_created and CREATED[0] and c._c > CLOCK_SET_AFTER:
        out.append(('_created', {}, c._c))
    return out
