# labels() given by keyword, and the errors labels() raises as upstream does (no label names,
# a child's labels(), both kinds of arguments, wrong names or count).
#
# Imported on: CPython, MicroPython, CircuitPython (by children.py, at the first labels() call
# that is not a plain positional one: a board that passes its label values in order never
# compiles it).


def key_of(parent, child):
    # The label values of child, from its parent's dicts.
    for d in parent._kids:
        for k, c in d.items():
            if c is child:
                return k if isinstance(k, tuple) else (k,)
    return ()


def label_key(metric, labelvalues, labelkwargs):
    # The label values for labels() called with keywords, or the error upstream raises.
    p = metric._p
    names = p._labelnames
    if not names:
        raise ValueError('No label names were set when constructing %s' % metric)
    if p is not metric:
        raise ValueError('%s already has labels set (%s); can not chain calls to .labels()'
                         % (metric, dict(zip(names, key_of(p, metric)))))
    if labelvalues and labelkwargs:
        raise ValueError("Can't pass both *args and **kwargs")
    if labelkwargs:
        if sorted(labelkwargs) != sorted(names):
            raise ValueError('Incorrect label names')
        return tuple([str(labelkwargs[l]) for l in names])
    raise ValueError('Incorrect label count')
