"""prometheus_client's names that only CPython has (WSGI, ASGI, the textfile writer, the
process collectors, urllib push handlers), for `prometheus_express.X`, and the names they add
to prometheus_client's __all__; also where prometheus_client has them
(`from prometheus_express.exposition import MetricsHandler`,
`from prometheus_express.metrics import Histogram`).

Imported on: CPython only (at `import prometheus_express`; it registers the process,
platform and gc collectors with the default REGISTRY, as prometheus_client's import does).
The web, push and textfile names load their modules at first use (they import wsgiref, ssl,
urllib: a program that never serves over WSGI does not wait for them at its import).
"""
import os
import types

from . import exposition, metrics
from ._format import CREATED
from .info_enum import Enum, Info
from .metric_ops import disable_created_metrics, enable_created_metrics, install
from .process import (GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR,  # noqa: F401
                      GCCollector, PlatformCollector, ProcessCollector)
from .summary_histogram import Histogram, Summary

# prometheus_client's __all__: what `from prometheus_express import *` gives on CPython
ALL = ('CollectorRegistry', 'REGISTRY', 'Metric', 'Counter', 'Gauge', 'Summary',
           'Histogram', 'Info', 'Enum', 'CONTENT_TYPE_LATEST', 'CONTENT_TYPE_PLAIN_0_0_4',
           'CONTENT_TYPE_PLAIN_1_0_0', 'generate_latest', 'MetricsHandler', 'make_wsgi_app',
           'make_asgi_app', 'start_http_server', 'start_wsgi_server', 'write_to_textfile',
           'push_to_gateway', 'pushadd_to_gateway', 'delete_from_gateway',
           'instance_ip_grouping_key', 'ProcessCollector', 'PROCESS_COLLECTOR',
           'PlatformCollector', 'PLATFORM_COLLECTOR', 'GCCollector', 'GC_COLLECTOR',
           'disable_created_metrics', 'enable_created_metrics')


def _get_use_created():
    """Whether `_created` series are on, as the environment says (upstream's helper)."""
    return os.getenv('PROMETHEUS_DISABLE_CREATED_SERIES', 'False').lower() not in (
        'true', '1', 't')


def __getattr__(name):  # the web, push and textfile names, loaded at first use
    if name in ('MetricsHandler', 'make_wsgi_app', 'start_wsgi_server', '_bake_output'):
        from . import wsgi as m
    elif name == 'make_asgi_app':
        from . import asgi as m
    elif name == 'write_to_textfile':
        from . import textfile as m
    elif name in ('push_to_gateway', 'pushadd_to_gateway', 'delete_from_gateway',
                  'default_handler', 'basic_auth_handler', 'instance_ip_grouping_key'):
        from . import push as m
    elif name in ('passthrough_redirect_handler', 'tls_auth_handler'):
        from . import urllib_handlers as m
    elif name == 'start_http_server':
        from . import background as m
    else:
        raise AttributeError("module 'prometheus_express' has no attribute '%s'" % name)
    return getattr(m, name)


class _Exposition(types.ModuleType):
    """exposition.py with the web and push names prometheus_client.exposition has."""

    def __getattr__(self, name):
        if name[:2] != '__':
            try:
                return __getattr__(name)
            except AttributeError:
                pass
        raise AttributeError("module 'prometheus_express.exposition' has no attribute '%s'"
                             % name)


exposition.__class__ = _Exposition
for _name in ('Summary', 'Histogram', 'Info', 'Enum', 'disable_created_metrics',
              'enable_created_metrics', '_get_use_created'):
    setattr(metrics, _name, globals()[_name])


class _Metrics(types.ModuleType):
    """metrics.py with `_use_created` as prometheus_client has it (its tests set it): the
    switch itself is _format.CREATED, read by every writer."""

    @property
    def _use_created(self):
        return CREATED[0]

    @_use_created.setter
    def _use_created(self, on):
        CREATED[0] = bool(on)


metrics.__class__ = _Metrics
install((metrics.Counter, metrics.Gauge, Summary, Histogram, Info, Enum))
