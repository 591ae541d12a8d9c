# Prometheus instrumentation for MicroPython, CircuitPython and CPython.
#
# Imported on: CPython, MicroPython, CircuitPython. On CPython importing the package registers
# the process, platform and gc collectors with the default REGISTRY, as prometheus_client's
# import does (dropin.py, process.py); on boards it compiles the core (see the end of this
# file). Every other public name loads its module on first use (module-level __getattr__ and
# public_names.py, itself loaded at the first such name), so a board pays in RAM only for what
# it touches. `from prometheus_express import *` gives
# prometheus_client's __all__ on CPython, and what is loaded on boards.
__version__ = '0.1.0'

from ._format import CPYTHON
from ._format import lean as _lean

# Boards: the core (metrics, registry, the page writer) is compiled at the first import, while
# the heap is still empty. Compiling a module of ours takes about 3 bytes of heap per byte of
# its code for a moment: done later, after asyncio or the exporter, a small heap may no longer
# have the room. Every program that imports this package uses the core.
_was = _lean()  # (our modules without line numbers on MicroPython: _format.lean)
try:
    from . import metrics, page, registry  # noqa: E402,F401
finally:
    _lean(_was)
from .metrics import Counter, Gauge  # noqa: E402,F401
from .registry import REGISTRY, CollectorRegistry  # noqa: E402,F401


def __getattr__(name):  # a public name loads its module on first use (public_names.py)
    # (defined after the core's imports: MicroPython asks a package's __getattr__ for a
    # submodule before it imports it)
    if name[:2] == '__':
        raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)
    from .public_names import load  # extension: which module holds each public name
    return load(name, globals())


if CPYTHON:  # the default REGISTRY carries the process, platform and gc collectors, as upstream's
    from . import dropin  # noqa: E402
    __all__ = dropin.ALL  # prometheus_client's, for import *
