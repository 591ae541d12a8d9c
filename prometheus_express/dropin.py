"""Where prometheus_client's names that only CPython has live here (WSGI, ASGI, the textfile
writer, the process collectors, urllib push handlers), for `prometheus_express.X`,
`prometheus_express.exposition.X` and `prometheus_express.metrics.X`; and
prometheus_client's whole __all__.

Imported on: CPython only (at `import prometheus_express`; it registers the process,
platform and gc collectors with the default REGISTRY, as prometheus_client's import does).
"""
import os

from .process import PROCESS_COLLECTOR  # noqa: F401  (it and its kin register themselves)

import prometheus_express as _package  # its __all__ is set before it imports this

__all__ = _package.__all__ + (
    'MetricsHandler', 'make_wsgi_app', 'make_asgi_app', 'start_wsgi_server',
    'write_to_textfile', 'ProcessCollector', 'PROCESS_COLLECTOR', 'PlatformCollector',
    'PLATFORM_COLLECTOR', 'GCCollector', 'GC_COLLECTOR')

_WHERE = {
    'wsgi': 'MetricsHandler make_wsgi_app start_wsgi_server _bake_output',
    'asgi': 'make_asgi_app',
    'textfile': 'write_to_textfile',
    'process': 'ProcessCollector PROCESS_COLLECTOR PlatformCollector PLATFORM_COLLECTOR '
               'GCCollector GC_COLLECTOR',
    'urllib_handlers': 'tls_auth_handler passthrough_redirect_handler',
    'push': 'default_handler basic_auth_handler push_to_gateway pushadd_to_gateway '
            'delete_from_gateway instance_ip_grouping_key',
    'server': 'start_http_server',
}


def _get_use_created():
    """Whether `_created` series are on, as the environment says (upstream's helper)."""
    return os.getenv('PROMETHEUS_DISABLE_CREATED_SERIES', 'False').lower() not in (
        'true', '1', 't')


def find(name):
    """The object prometheus_client has under `name` in one of these modules."""
    if name == '_get_use_created':
        return _get_use_created
    for module, names in _WHERE.items():
        if name in names.split():
            return getattr(__import__('prometheus_express.' + module, None, None, ['x']), name)
    raise AttributeError(name)
