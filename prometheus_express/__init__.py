"""Prometheus instrumentation for MicroPython, CircuitPython and CPython.

Imported on: CPython, MicroPython, CircuitPython. On CPython importing the package registers
the process, platform and gc collectors with the default REGISTRY, as prometheus_client's
import does (dropin.py, process.py); on boards it compiles the core (see the end of this
file). Every other public name loads its module on first use (module-level __getattr__), so
a board pays in RAM only for what it touches.
"""
__version__ = '0.1.0'

# "module:Name Name ...;" - one string, not a dict of tuples: it costs a board less RAM.
_WHERE = ('metrics:Counter Gauge MetricWrapperBase disable_created_metrics '
          'enable_created_metrics;metrics_extra:Summary Histogram Info Enum;'
          'registry:CollectorRegistry REGISTRY DuplicateTimeseries;'
          'families:Metric Sample Exemplar;'
          'generate:generate_latest generate_openmetrics write_text write_openmetrics choose_encoder;'
          'routing:Router basic_auth bearer_token;negotiation:negotiate;'
          'server:start_http_server MetricsServer;aio:serve;'
          'push:push_to_gateway pushadd_to_gateway delete_from_gateway basic_auth_handler '
          'instance_ip_grouping_key;remote_write:RemoteWriter;board:BoardCollector')


# What `from prometheus_express import *` gives (resolved on first use, as every name here);
# on CPython prometheus_client's whole __all__ (dropin.py).
__all__ = ('CollectorRegistry', 'REGISTRY', 'Metric', 'Counter', 'Gauge', 'Summary',
           'Histogram', 'Info', 'Enum', 'CONTENT_TYPE_LATEST', 'CONTENT_TYPE_PLAIN_0_0_4',
           'CONTENT_TYPE_PLAIN_1_0_0', 'generate_latest', 'start_http_server',
           'push_to_gateway', 'pushadd_to_gateway', 'delete_from_gateway',
           'instance_ip_grouping_key', 'disable_created_metrics', 'enable_created_metrics')


def __getattr__(name):
    where = _WHERE
    if name.endswith('MetricFamily'):  # CounterMetricFamily & co.
        where = 'families:' + name
    elif name.startswith('CONTENT_TYPE_'):
        where = 'exposition:' + name
    for part in where.split(';'):
        module, names = part.split(':')
        if name == module or name in names.split(' '):
            mod = __import__('prometheus_express.' + module, None, None, ['__name__'])
            value = mod if name == module else getattr(mod, name)
            globals()[name] = value
            return value
    if name in ('_format', '_clock', '_sockets', '_timing', '_lock', 'metric_ops', 'collection',
                'familytext', 'core'):
        return __import__('prometheus_express.' + name, None, None, ['__name__'])
    if name[:2] != '__' and __import__('sys').implementation.name == 'cpython':
        from .dropin import find
        return find(name)
    raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)


# Boards: the core (metrics, registry, the page writer) is compiled at the first import, while
# the heap is still empty. Compiling a module of ours takes about 3 bytes of heap per byte of
# its code for a moment (metrics.py: ~45 KB): done later, after asyncio or the exporter, a 96
# KB heap may no longer have the room. Every program that imports this package uses the core.
if __import__('sys').implementation.name != 'cpython':
    __import__('prometheus_express.exposition')
    __import__('prometheus_express.metrics')
else:  # the default REGISTRY carries the process, platform and gc collectors, as upstream's
    from .dropin import __all__  # noqa: F811
