"""Copied as conftest.py beside prometheus_client's own tests by tests/test_upstream.py, so
pytest loads it first: makes `import prometheus_client[.x]` give prometheus_express[.y]."""
import importlib
import importlib.abc
import importlib.util
import sys

# prometheus_client's module -> ours
MODULES = {
    'prometheus_client': 'prometheus_express',
    'prometheus_client.core': 'prometheus_express.core',
    'prometheus_client.metrics': 'prometheus_express.metrics',
    'prometheus_client.registry': 'prometheus_express.registry',
    'prometheus_client.exposition': 'prometheus_express.exposition',
    'prometheus_client.openmetrics': 'prometheus_express.openmetrics',
    'prometheus_client.openmetrics.exposition': 'prometheus_express.openmetrics',
    'prometheus_client.metrics_core': 'prometheus_express.families',
    'prometheus_client.samples': 'prometheus_express.families',
    'prometheus_client.validation': 'prometheus_express.validation',
    'prometheus_client.decorator': 'prometheus_express.decorator',
    'prometheus_client.process_collector': 'prometheus_express.process',
    'prometheus_client.platform_collector': 'prometheus_express.process',
    'prometheus_client.gc_collector': 'prometheus_express.process',
    'prometheus_client.context_managers': 'prometheus_express._timing',
    'prometheus_client.utils': 'prometheus_express._format',
}


class Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in MODULES:
            return importlib.util.spec_from_loader(name, self, is_package=True)
        if name.startswith('prometheus_client.') or name == 'prometheus_client':
            raise ImportError('prometheus_express has no counterpart of %s' % name)
        return None

    def create_module(self, spec):
        return importlib.import_module(MODULES[spec.name])

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, Alias())
