"""Scenarios written once against the prometheus_client API and run against either library.

Each scenario takes (lib, registry) where lib is the prometheus_client or prometheus_express
module, builds metrics in registry and updates them. CPython only (tests and bench use it).
"""
import math


def counters(lib, r):
    c = lib.Counter('http_requests_total', 'HTTP requests served.', ['method', 'code'], registry=r)
    c.labels('get', '200').inc()
    c.labels('get', '200').inc(41)
    c.labels(method='post', code=500).inc(2.5)
    lib.Counter('bytes', 'Bytes sent.', namespace='app', subsystem='net', unit='bytes',
                registry=r).inc(2 ** 40)
    lib.Counter('idle', 'Never touched.', ['a'], registry=r)  # a labelled parent, no children


def gauges(lib, r):
    g = lib.Gauge('temperature_celsius', 'Temperature by sensor.', ['sensor'], registry=r)
    g.labels('bme680').set(24.7359)
    g.labels('si7021').set(-3)
    g.labels('inf').set(math.inf)
    g.labels('ninf').set(-math.inf)
    g.labels('nan').set(math.nan)
    g.labels('big').set(12345678.9)
    g.labels('bigint').inc(10 ** 7)
    g.labels('tiny').set(1.5e-7)
    g.labels('huge').set(1e22)
    g.labels('zero').set(0)
    f = lib.Gauge('queue_length', 'From a callback.', registry=r)
    f.set_function(lambda: 7)
    t = lib.Gauge('ts_seconds', 'Current time.', registry=r)
    t.set(1700000000.5)


def histograms(lib, r):
    h = lib.Histogram('request_latency_seconds', 'Latency.', ['z', 'a'], registry=r)
    for v in (0.001, 0.02, 0.3, 0.3, 4, 11, 1e9):
        h.labels('zz', 'aa').observe(v)
    h.labels('zz', 'bb')
    c = lib.Histogram('size_bytes', 'Sizes.', buckets=(1, 10, 100.5, 1e6), registry=r)
    c.observe(5)
    c.observe(7e5)


def negative_buckets(lib, r):
    # prometheus_client's Histogram writes _count without _sum here, which its own OpenMetrics
    # parser rejects; we leave out both, as its HistogramMetricFamily does.
    n = lib.Histogram('offset', 'Negative buckets: no sum.', buckets=(-5, 0, 5), registry=r)
    n.observe(-1)


def summaries(lib, r):
    s = lib.Summary('job_duration_seconds', 'Job time.', ['job'], registry=r)
    s.labels('a').observe(1.5)
    s.labels('a').observe(3)
    s.labels('b')
    lib.Summary('plain', 'No labels.', registry=r).observe(17)


def info_enum(lib, r):
    i = lib.Info('build', 'Build information.', registry=r)
    i.info({'version': '1.2.3', 'commit': 'abc"def', 'branch': 'main'})
    j = lib.Info('board', 'Per board.', ['slot'], registry=r)
    j.labels('1').info({'name': 'esp32'})
    e = lib.Enum('task_state', 'State.', ['task'], states=['starting', 'running', 'stopped'],
                 registry=r)
    e.labels('t1').state('running')
    e.labels('t2')


def escaping(lib, r):
    g = lib.Gauge('weird_labels', 'Help with \\ backslash,\nnewline and "quotes".', ['v'],
                  registry=r)
    for v in ('back\\slash', 'new\nline', 'say "hi"', 'ünïcödé ☃ 🌡', '', ' ', '{}=,'):
        g.labels(v).set(1)


def utf8_names(lib, r):
    lib.Gauge('my.metric', 'Dotted name.', registry=r).set(2)
    g = lib.Gauge('other', 'Odd label name.', ['label-with-dash'], registry=r)
    g.labels('x').set(3)


def custom(lib, r):
    fam = lib if hasattr(lib, 'GaugeMetricFamily') else None
    if fam is None:
        from prometheus_client import core as fam

    class Collector:
        def collect(self):
            yield fam.CounterMetricFamily('events_total', 'Events.', value=3, created=1.5e9)
            g = fam.GaugeMetricFamily('reading', 'Readings.', labels=['sensor'], unit='celsius')
            g.add_metric(['a'], 1.25)
            g.add_metric(['b'], 2, timestamp=1700000000.123)
            yield g
            yield fam.SummaryMetricFamily('s', 'Summary.', count_value=2, sum_value=3.5)
            yield fam.HistogramMetricFamily('h', 'Histogram.', buckets=[('1.0', 1), ('+Inf', 4)],
                                            sum_value=9)
            yield fam.GaugeHistogramMetricFamily('gh', 'Gauge histogram.',
                                                 buckets=[('1.0', 2), ('+Inf', 3)], gsum_value=5)
            yield fam.InfoMetricFamily('meta', 'Meta.', value={'k': 'v'})
            yield fam.StateSetMetricFamily('ss', 'State set.', value={'on': True, 'off': False})
            yield fam.UnknownMetricFamily('mystery', 'Unknown.', value=4)

    r.register(Collector())


def target_info(lib, r):
    r.set_target_info({'service': 'board', 'zone': 'lab'})
    lib.Gauge('up_seconds', 'Uptime.', registry=r).set(5)


ALL = [counters, gauges, histograms, summaries, info_enum, escaping, utf8_names, custom,
       target_info]
OURS_ONLY = [negative_buckets]  # deliberate differences, checked for validity instead


def registry_for(lib, scenario):
    r = lib.CollectorRegistry()
    scenario(lib, r)
    return r


def many_series(lib, r, n):
    """n labelled gauge series (the render benchmark's page)."""
    g = lib.Gauge('sensor_value', 'A sensor reading.', ['sensor', 'board'], registry=r)
    children = [g.labels('s%d' % i, 'b%d' % (i % 7)) for i in range(n)]
    return children
