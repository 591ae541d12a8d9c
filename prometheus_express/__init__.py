"""Prometheus instrumentation for MicroPython, CircuitPython and CPython.

Imported on: CPython, MicroPython, CircuitPython. Importing the package imports nothing else:
each public name loads its module on first use (module-level __getattr__), so a board pays in
RAM only for what it touches.
"""
__version__ = '0.1.0'

_WHERE = {
    'metrics': ('Counter', 'Gauge', 'Summary', 'MetricWrapperBase', 'disable_created_metrics',
                'enable_created_metrics'),
    'metrics_extra': ('Histogram', 'Info', 'Enum'),
    'registry': ('CollectorRegistry', 'REGISTRY', 'DuplicateTimeseries'),
    'families': ('Metric', 'Sample', 'Exemplar', 'CounterMetricFamily', 'GaugeMetricFamily',
                 'SummaryMetricFamily', 'HistogramMetricFamily', 'GaugeHistogramMetricFamily',
                 'InfoMetricFamily', 'StateSetMetricFamily', 'UnknownMetricFamily',
                 'UntypedMetricFamily'),
    'exposition': ('generate_latest', 'generate_openmetrics', 'write_text', 'write_openmetrics',
                   'write_exposition', 'choose_encoder', 'negotiate', 'CONTENT_TYPE_LATEST',
                   'CONTENT_TYPE_PLAIN_0_0_4', 'CONTENT_TYPE_PLAIN_1_0_0',
                   'CONTENT_TYPE_OPENMETRICS'),
    'server': ('start_http_server', 'MetricsServer'),
    'http': ('Router', 'basic_auth', 'bearer_token'),
    'aio': ('serve',),
    'push': ('push_to_gateway', 'pushadd_to_gateway', 'delete_from_gateway',
             'basic_auth_handler', 'instance_ip_grouping_key'),
}


_MODULES = ('metrics', 'metrics_extra', 'registry', 'families', 'exposition', 'http', 'server',
            'aio', 'push', 'remote_write', 'board')


def __getattr__(name):
    if name in _MODULES:  # `from prometheus_express import aio` on MicroPython lands here
        return __import__('prometheus_express.' + name, None, None, ['__name__'])
    for module, names in _WHERE.items():
        if name in names:
            mod = __import__('prometheus_express.' + module, None, None, [name])
            value = getattr(mod, name)
            globals()[name] = value
            return value
    raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)
