# The package's public names that load their module on first use, and where each lives:
# `from prometheus_express import Histogram` (or prometheus_express.MetricsServer) asks the
# package's __getattr__, which loads this table the first time (a board program that imports
# only Counter, Gauge and the registry, and its exporter from prometheus_express.server as the
# examples do, never holds it: 1.9 KB of heap on micropython-board).
#
# Imported on: CPython, MicroPython, CircuitPython (at the first such name).
from . import metrics, page, registry
from ._format import CPYTHON


def load(name, pkg):  # a public name loads its module on first use
    # The public name `name` of the package (pkg: its globals), its module loaded now and the
    # name kept in the package, so that it is asked here once.
    # (names in one string each, not tuples of them: a board pays for every string object)
    n = ' %s ' % name
    if n == ' MetricWrapperBase ':
        m = metrics  # (these three the package imports itself)
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
    elif CPYTHON and 'dropin' in pkg:
        m = pkg['dropin']  # CPython: prometheus_client's other names (the package's import)
    elif CPYTHON:
        raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)
    else:  # MicroPython asks here first for `from prometheus_express import aio`, and a raise
        try:  # would stop it from importing the submodule: import it as it would have
            return __import__('prometheus_express.' + name, None, None, ('x',))
        except ImportError:
            raise AttributeError(name)
    value = getattr(m, name)
    pkg[name] = value
    return value
