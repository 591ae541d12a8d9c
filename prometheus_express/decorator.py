"""getargspec, as prometheus_client.decorator has it: the signature a decorated function
shows. Our decorators (time(), count_exceptions(), track_inprogress()) set __wrapped__, so
inspect.signature() sees the function they wrap.

Imported on: CPython only (a program that inspects signatures).
"""
import inspect
from collections import namedtuple

ArgSpec = namedtuple('ArgSpec', ('args', 'varargs', 'varkw', 'defaults'))


def getargspec(f):
    """(args, varargs, varkw, defaults) of f as its callers see it."""
    args, varargs, varkw, defaults = [], None, None, []
    for p in inspect.signature(f).parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(p.name)
            if p.default is not p.empty:
                defaults.append(p.default)
        elif p.kind == p.VAR_POSITIONAL:
            varargs = p.name
        elif p.kind == p.VAR_KEYWORD:
            varkw = p.name
    return ArgSpec(args, varargs, varkw, tuple(defaults) or None)
