# prometheus_client.openmetrics.exposition's names: generate_latest(registry, escaping,
# version) for the OpenMetrics page, CONTENT_TYPE_LATEST, and the name escaping schemes
# (ALLOWUTF8, UNDERSCORES, DOTS, VALUES, escape_metric_name, escape_label_name: escaping.py).
#
# Imported on: CPython, MicroPython, CircuitPython (when a program imports it).
from .escaping import (ALLOWUTF8, DOTS, SCHEMES, UNDERSCORES, VALUES,  # noqa: F401
                       escape_label_name, escape_metric_name)
from .exposition import generate_openmetrics
from .registry import REGISTRY

CONTENT_TYPE_LATEST = 'application/openmetrics-text; version=1.0.0; charset=utf-8'


def generate_latest(registry=REGISTRY, escaping=UNDERSCORES, version='1.0.0'):
    # The OpenMetrics page as UTF-8 bytes (prometheus_client.openmetrics.exposition's).
    return generate_openmetrics(registry, escaping)
