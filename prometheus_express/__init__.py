# Prometheus instrumentation for MicroPython, CircuitPython and CPython.
#
# Imported on: CPython, MicroPython, CircuitPython. On CPython importing the package registers
# the process, platform and gc collectors with the default REGISTRY, as prometheus_client's
# import does (dropin.py, process.py); on boards it compiles the core (see the end of this
# file). Every other public name loads its module on first use (module-level __getattr__), so
# a board pays in RAM only for what it touches. `from prometheus_express import *` gives
# prometheus_client's __all__ on CPython, and what is loaded on boards.
__version__ = '0.1.0'

from ._format import CPYTHON

def __getattr__(name):  # a public name loads its module on first use
    # (names in one string each, not tuples of them: a board pays for every string object)
    n = ' %s ' % name
    if n == ' MetricWrapperBase ':
        m = metrics  # (these three are imported at the end of this file)
    elif n == ' DuplicateTimeseries ':
        m = registry
    elif name[:13] == 'CONTENT_TYPE_' or n == ' negotiate ':
        m = page
    elif n in ' disable_created_metrics enable_created_metrics ':
        from . import metric_ops as m
    elif n in ' Summary Histogram ':
        from . import summary_histogram as m
    elif n in ' Info Enum ':
        from . import info_enum as m
    elif n in ' Metric Sample Exemplar ' or name.endswith('MetricFamily'):
        from . import families as m
    elif n in ' generate_latest generate_openmetrics write_text write_openmetrics choose_encoder ':
        from . import exposition as m
    elif n in ' Router basic_auth bearer_token ':
        from . import routing as m
    elif n == ' MetricsServer ':
        from . import server as m
    elif n == ' start_http_server ':
        from . import background as m
    elif n == ' serve ':
        from . import aio as m
    elif n in (' push_to_gateway pushadd_to_gateway delete_from_gateway basic_auth_handler '
               'instance_ip_grouping_key '):
        from . import push as m
    elif n == ' RemoteWriter ':
        from . import remote_write as m
    elif n == ' BoardCollector ':
        from . import board as m
    elif CPYTHON and name[:2] != '__' and 'dropin' in globals():
        m = dropin  # CPython: prometheus_client's other names (imported below)
    elif CPYTHON or name[:2] == '__':
        raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)
    else:  # MicroPython asks here first for `from prometheus_express import aio`, and a raise
        try:  # would stop it from importing the submodule: import it as it would have
            return __import__('prometheus_express.' + name, None, None, ('x',))
        except ImportError:
            raise AttributeError(name)
    value = getattr(m, name)
    globals()[name] = value
    return value


# Boards: the core (metrics, registry, the page writer) is compiled at the first import, while
# the heap is still empty. Compiling a module of ours takes about 3 bytes of heap per byte of
# its code for a moment: done later, after asyncio or the exporter, a small heap may no longer
# have the room. Every program that imports this package uses the core.
from . import metrics, page, registry  # noqa: E402,F401
from .metrics import Counter, Gauge  # noqa: E402,F401
from .registry import REGISTRY, CollectorRegistry  # noqa: E402,F401
if CPYTHON:  # the default REGISTRY carries the process, platform and gc collectors, as upstream's
    from . import dropin  # noqa: E402
    __all__ = dropin.ALL  # prometheus_client's, for import *
