"""`from prometheus_express.core import GaugeMetricFamily, REGISTRY, ...`: the import path
prometheus_client documents for custom collectors (its `prometheus_client.core`).

Imported on: CPython (and any runtime whose program imports it; the package never does).
"""
from .families import (CounterMetricFamily, Exemplar, GaugeHistogramMetricFamily,  # noqa: F401
                       GaugeMetricFamily, HistogramMetricFamily, InfoMetricFamily, Metric,
                       Sample, StateSetMetricFamily, SummaryMetricFamily, Timestamp,
                       UnknownMetricFamily, UntypedMetricFamily)
from .metrics import Counter, Gauge  # noqa: F401
from .info_enum import Enum, Info  # noqa: F401
from .summary_histogram import Histogram, Summary  # noqa: F401
from .registry import REGISTRY, CollectorRegistry, DuplicateTimeseries  # noqa: F401
