"""`from prometheus_express.core import GaugeMetricFamily, REGISTRY, ...`: the import path
prometheus_client documents for custom collectors (its `prometheus_client.core`).

Imported on: CPython (and any runtime whose program imports it; the package never does).
"""
from .families import (CounterMetricFamily, Exemplar, GaugeHistogramMetricFamily,  # noqa: F401
                       GaugeMetricFamily, HistogramMetricFamily, InfoMetricFamily, Metric,
                       Sample, StateSetMetricFamily, SummaryMetricFamily, Timestamp,
                       UnknownMetricFamily, UntypedMetricFamily)
from .metrics import Counter, Gauge  # noqa: F401
from .metrics_extra import Enum, Histogram, Info, Summary  # noqa: F401
from .registry import REGISTRY, CollectorRegistry, DuplicateTimeseries  # noqa: F401
