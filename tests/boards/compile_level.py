# The package and its servers compile their own modules without line numbers and give the
# program its compile level back (prometheus_express._format.lean): run by
# tests/test_boards.py as
#   INTERPRETER compile_level.py
# It prints the program's level after each import (it set 1 first), and the line a traceback
# names inside our code and inside the program's own.
import micropython
import sys

micropython.opt_level(1)
import prometheus_express  # noqa: E402
print('LEVEL package', micropython.opt_level())
from prometheus_express.server import MetricsServer  # noqa: E402,F401
print('LEVEL server', micropython.opt_level())
try:
    import asyncio  # noqa: F401 (the asyncio exporter, where the interpreter has asyncio)
except ImportError:
    asyncio = None
if asyncio:
    import prometheus_express.aio  # noqa: F401
    print('LEVEL aio', micropython.opt_level())


def where(f):
    # The traceback of f() ('' on CircuitPython, which has no sys.print_exception).
    try:
        f()
    except ValueError as e:
        if not hasattr(sys, 'print_exception'):
            return ''
        import io
        out = io.StringIO()
        sys.print_exception(e, out)
        return out.getvalue()


def ours():
    prometheus_express.Gauge('bad_label', 'A label name no metric may have.', ['__x'])


def theirs():
    raise ValueError('here')


print('OURS', where(ours).replace('\n', '|'))
print('THEIRS', where(theirs).replace('\n', '|'))
