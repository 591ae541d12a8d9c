# Metric, Sample and the *MetricFamily classes custom collectors return from collect().
#
# Same names, signatures and errors as prometheus_client.metrics_core / samples.
# Imported on: CPython, MicroPython, CircuitPython (only when a collector or collect() needs it).
from collections import namedtuple


_Sample6 = namedtuple('Sample', ('name', 'labels', 'value', 'timestamp', 'exemplar',
                                 'native_histogram'))
_Exemplar = namedtuple('Exemplar', ('labels', 'value', 'timestamp'))


def Exemplar(labels, value, timestamp=None):
    # An exemplar: (labels dict, value, timestamp or None).
    return _Exemplar(labels, value, timestamp)


class Timestamp:
    # A sample timestamp with nanosecond precision: Timestamp(sec, nsec).

    def __init__(self, sec, nsec):
        if nsec < 0 or nsec >= 1000000000:
            raise ValueError('Invalid value for nanoseconds in Timestamp: %s' % nsec)
        self.sec = int(sec)
        self.nsec = int(-nsec if sec < 0 else nsec)

    def __str__(self):
        return '%d.%09d' % (self.sec, self.nsec)

    def __repr__(self):
        return 'Timestamp(%d, %d)' % (self.sec, self.nsec)

    def __float__(self):
        return float(self.sec) + float(self.nsec) / 1e9

    def _key(self):
        return self.sec * 1000000000 + self.nsec

    def __eq__(self, other):
        return isinstance(other, Timestamp) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return self._key() < other._key()

    def __gt__(self, other):
        return self._key() > other._key()

    def __hash__(self):
        return hash(self._key())


def Sample(name, labels, value, timestamp=None, exemplar=None, native_histogram=None):
    # One sample: (name, labels dict, value, timestamp or None, exemplar or None,
    # native_histogram or None: taken and kept as upstream's, not written by our pages).
    return _Sample6(name, labels, value, timestamp, exemplar, native_histogram)


_Sample = Sample


METRIC_TYPES = ('counter', 'gauge', 'summary', 'histogram', 'gaugehistogram', 'unknown',
                'info', 'stateset')


class Metric:
    # A metric family and its samples.

    def __init__(self, name, documentation, typ, unit=''):
        if unit and not name.endswith('_' + unit):
            name += '_' + unit
        if not name or not isinstance(name, str):
            raise ValueError('metric name cannot be empty' if not name else
                             'invalid metric name ' + str(name))
        self.name = name
        self.documentation = documentation
        self.unit = unit
        if typ == 'untyped':
            typ = 'unknown'
        if typ not in METRIC_TYPES:
            raise ValueError('Invalid metric type: ' + typ)
        self.type = typ
        self.samples = []

    def add_sample(self, name, labels, value, timestamp=None, exemplar=None,
                   native_histogram=None):
        self.samples.append(_Sample6(name, labels, value, timestamp, exemplar,
                                     native_histogram))

    def __eq__(self, other):
        return (isinstance(other, Metric) and self.name == other.name
                and self.documentation == other.documentation and self.type == other.type
                and self.unit == other.unit and self.samples == other.samples)

    def __repr__(self):
        return 'Metric(%s, %s, %s, %s, %s)' % (self.name, self.documentation, self.type,
                                               self.unit, self.samples)

    def _restricted_metric(self, names):
        samples = [s for s in self.samples if s[0] in names]
        if samples:
            m = Metric(self.name, self.documentation, self.type)
            m.samples = samples
            return m
        return None

    # Shared by the families below: labels given either at construction or per add_metric.
    def _init_labels(self, labels, value_given, what='value'):
        if labels is not None and value_given:
            raise ValueError('Can only specify at most one of %s and labels.' % what)
        self._labelnames = tuple(labels or ())

    def _lab(self, labels, extra=None):
        d = dict(zip(self._labelnames, labels))
        if extra:
            d.update(extra)
        return d


class UnknownMetricFamily(Metric):
    def __init__(self, name, documentation, value=None, labels=None, unit=''):
        Metric.__init__(self, name, documentation, 'unknown', unit)
        self._init_labels(labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels, value, timestamp=None):
        self.samples.append(_Sample(self.name, self._lab(labels), value, timestamp, None))


UntypedMetricFamily = UnknownMetricFamily


class CounterMetricFamily(Metric):
    def __init__(self, name, documentation, value=None, labels=None, created=None, unit='',
                 exemplar=None):
        if name.endswith('_total'):
            name = name[:-6]
        Metric.__init__(self, name, documentation, 'counter', unit)
        self._init_labels(labels, value is not None)
        if value is not None:
            self.add_metric([], value, created, exemplar=exemplar)

    def add_metric(self, labels, value, created=None, timestamp=None, exemplar=None):
        self.samples.append(_Sample(self.name + '_total', self._lab(labels), value, timestamp,
                                    exemplar))
        if created is not None:
            self.samples.append(_Sample(self.name + '_created', self._lab(labels), created,
                                        timestamp, None))


class GaugeMetricFamily(Metric):
    def __init__(self, name, documentation, value=None, labels=None, unit=''):
        Metric.__init__(self, name, documentation, 'gauge', unit)
        self._init_labels(labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels, value, timestamp=None):
        self.samples.append(_Sample(self.name, self._lab(labels), value, timestamp, None))


class SummaryMetricFamily(Metric):
    def __init__(self, name, documentation, count_value=None, sum_value=None, labels=None,
                 unit=''):
        Metric.__init__(self, name, documentation, 'summary', unit)
        if (sum_value is None) != (count_value is None):
            raise ValueError('count_value and sum_value must be provided together.')
        self._init_labels(labels, count_value is not None)
        if count_value is not None:
            self.add_metric([], count_value, sum_value)

    def add_metric(self, labels, count_value, sum_value, timestamp=None):
        self.samples.append(_Sample(self.name + '_count', self._lab(labels), count_value,
                                    timestamp, None))
        self.samples.append(_Sample(self.name + '_sum', self._lab(labels), sum_value,
                                    timestamp, None))


class HistogramMetricFamily(Metric):
    def __init__(self, name, documentation, buckets=None, sum_value=None, labels=None, unit=''):
        Metric.__init__(self, name, documentation, 'histogram', unit)
        if sum_value is not None and buckets is None:
            raise ValueError('sum value cannot be provided without buckets.')
        self._init_labels(labels, buckets is not None, 'buckets')
        if buckets is not None:
            self.add_metric([], buckets, sum_value)

    def add_metric(self, labels, buckets, sum_value, timestamp=None):
        for b in buckets:
            self.samples.append(_Sample(self.name + '_bucket', self._lab(labels, {'le': b[0]}),
                                        b[1], timestamp, b[2] if len(b) == 3 else None))
        # No sum (and so no count) when there are negative buckets.
        if float(buckets[0][0]) >= 0 and sum_value is not None:
            self.samples.append(_Sample(self.name + '_count', self._lab(labels), buckets[-1][1],
                                        timestamp, None))
            self.samples.append(_Sample(self.name + '_sum', self._lab(labels), sum_value,
                                        timestamp, None))


class GaugeHistogramMetricFamily(Metric):
    def __init__(self, name, documentation, buckets=None, gsum_value=None, labels=None, unit=''):
        Metric.__init__(self, name, documentation, 'gaugehistogram', unit)
        self._init_labels(labels, buckets is not None, 'buckets')
        if buckets is not None:
            self.add_metric([], buckets, gsum_value)

    def add_metric(self, labels, buckets, gsum_value, timestamp=None):
        for bucket, value in buckets:
            self.samples.append(_Sample(self.name + '_bucket',
                                        self._lab(labels, {'le': bucket}), value, timestamp, None))
        self.samples.append(_Sample(self.name + '_gcount', self._lab(labels), buckets[-1][1],
                                    timestamp, None))
        self.samples.append(_Sample(self.name + '_gsum', self._lab(labels), gsum_value,
                                    timestamp, None))


class InfoMetricFamily(Metric):
    def __init__(self, name, documentation, value=None, labels=None):
        Metric.__init__(self, name, documentation, 'info')
        self._init_labels(labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels, value, timestamp=None):
        self.samples.append(_Sample(self.name + '_info', self._lab(labels, value), 1,
                                    timestamp, None))


class StateSetMetricFamily(Metric):
    def __init__(self, name, documentation, value=None, labels=None):
        Metric.__init__(self, name, documentation, 'stateset')
        self._init_labels(labels, value is not None)
        if value is not None:
            self.add_metric([], value)

    def add_metric(self, labels, value, timestamp=None):
        # value is a dict of state -> bool; MicroPython dicts are unordered, so sort the states.
        for state in sorted(value):
            self.samples.append(_Sample(self.name, self._lab(labels, {self.name: state}),
                                        1 if value[state] else 0, timestamp, None))
