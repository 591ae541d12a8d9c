# Exemplars: kept (checked as prometheus_client checks them) for a counter child or a
# histogram bucket, and found again when the OpenMetrics page is written.
#
# Imported on: CPython, MicroPython, CircuitPython (the first time an exemplar is given).
from ._clock import wall
from .families import Exemplar
from .validation import validate_exemplar


def keep(child, labels, value, bucket=None):
    # Keep an exemplar (checked as upstream checks it) for a counter child, or for bucket
    # `bucket` of a histogram child; the parent's OpenMetrics lines then carry it.
    validate_exemplar(labels)
    ex = Exemplar(dict(labels), value, wall())
    if bucket is None:
        child._ex = ex
    else:
        exs = child.__dict__.get('_exs')
        if exs is None:
            exs = child._exs = {}
        exs[bucket] = ex
    child._p._has_ex = True



def exemplar_of(child, suffix, i):
    # The exemplar of a child's sample (suffix; i: the bucket), or None.
    d = child.__dict__
    if suffix == '_total':
        return d.get('_ex')
    if suffix == '_bucket':
        return d.get('_exs', {}).get(i)
    return None
