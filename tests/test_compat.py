"""prometheus_express against prometheus_client (CPython only): the same scenarios must give
the same bytes, and both libraries' output must parse back to the same samples."""
import math
import time
import unittest
from unittest import mock

import prometheus_client as pc
from prometheus_client import parser as text_parser
from prometheus_client.openmetrics import exposition as pc_om
from prometheus_client.openmetrics import parser as om_parser

import prometheus_express as pe
from prometheus_express import exposition as pe_exp

import scenarios

FIXED = 1700000000.25


def render(lib, scenario, om=False):
    with mock.patch.object(time, 'time', return_value=FIXED):
        r = scenarios.registry_for(lib, scenario)
    if lib is pc:
        return (pc_om.generate_latest if om else pc.generate_latest)(r)
    return (pe_exp.generate_openmetrics if om else pe.generate_latest)(r)


def samples(families):
    out = []
    for f in families:
        for s in f.samples:
            v = 'NaN' if math.isnan(s.value) else s.value
            out.append((f.name, f.type, s.name, tuple(sorted(s.labels.items())), v, s.timestamp))
    return out


class SameBytes(unittest.TestCase):
    def test_text(self):
        for sc in scenarios.ALL:
            with self.subTest(sc.__name__):
                self.assertEqual(render(pe, sc).decode(), render(pc, sc).decode())

    def test_openmetrics(self):
        for sc in scenarios.ALL:
            with self.subTest(sc.__name__):
                self.assertEqual(render(pe, sc, True).decode(), render(pc, sc, True).decode())

    def test_without_created(self):
        pc.disable_created_metrics()
        pe.disable_created_metrics()
        try:
            for sc in scenarios.ALL:
                with self.subTest(sc.__name__):
                    self.assertEqual(render(pe, sc), render(pc, sc))
                    self.assertEqual(render(pe, sc, True), render(pc, sc, True))
        finally:
            pc.enable_created_metrics()
            pe.enable_created_metrics()


class SameSamples(unittest.TestCase):
    """Parsed by prometheus_client's own parsers, sample by sample."""

    def test_text_parser(self):
        for sc in scenarios.ALL:
            with self.subTest(sc.__name__):
                ours = samples(text_parser.text_string_to_metric_families(render(pe, sc).decode()))
                theirs = samples(text_parser.text_string_to_metric_families(
                    render(pc, sc).decode()))
                self.assertTrue(ours)
                self.assertEqual(ours, theirs)

    def test_openmetrics_parser(self):
        for sc in scenarios.ALL:
            if sc is scenarios.utf8_names:
                continue  # upstream's OpenMetrics parser rejects escaped label names it wrote
            with self.subTest(sc.__name__):
                ours = samples(om_parser.text_string_to_metric_families(
                    render(pe, sc, True).decode()))
                theirs = samples(om_parser.text_string_to_metric_families(
                    render(pc, sc, True).decode()))
                self.assertTrue(ours)
                self.assertEqual(ours, theirs)

    def test_collect_and_get_sample_value(self):
        for sc in scenarios.ALL:
            with self.subTest(sc.__name__):
                with mock.patch.object(time, 'time', return_value=FIXED):
                    a = scenarios.registry_for(pe, sc)
                    b = scenarios.registry_for(pc, sc)
                ours, theirs = samples(a.collect()), samples(b.collect())
                self.assertEqual(ours, theirs)
                for fam in b.collect():
                    for s in fam.samples:
                        if not math.isnan(s.value):
                            self.assertEqual(a.get_sample_value(s.name, s.labels), s.value)


def _error(fn, lib):
    try:
        fn(lib, lib.CollectorRegistry())
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e)
    return None


BAD = {
    'negative inc': lambda lib, r: lib.Counter('c', 'd', registry=r).inc(-1),
    'empty name': lambda lib, r: lib.Counter('', 'd', registry=r),
    'reserved label': lambda lib, r: lib.Gauge('g', 'd', ['__x'], registry=r),
    'label count': lambda lib, r: lib.Gauge('g', 'd', ['a'], registry=r).labels('x', 'y'),
    'label names': lambda lib, r: lib.Gauge('g', 'd', ['a'], registry=r).labels(b='x'),
    'args and kwargs': lambda lib, r: lib.Gauge('g', 'd', ['a', 'b'], registry=r).labels('x', b='y'),
    'chained labels': lambda lib, r: lib.Gauge('g', 'd', ['a'], registry=r).labels('x').labels('y'),
    'no labels': lambda lib, r: lib.Gauge('g', 'd', registry=r).labels('x'),
    'parent used': lambda lib, r: lib.Counter('c', 'd', ['a'], registry=r).inc(),
    'parent set': lambda lib, r: lib.Gauge('g', 'd', ['a'], registry=r).set(1),
    'parent observe': lambda lib, r: lib.Histogram('h', 'd', ['a'], registry=r).observe(1),
    'unsorted buckets': lambda lib, r: lib.Histogram('h', 'd', buckets=(2, 1), registry=r),
    'one bucket': lambda lib, r: lib.Histogram('h', 'd', buckets=(), registry=r),
    'duplicate': lambda lib, r: (lib.Counter('c', 'd', registry=r), lib.Gauge('c_total', 'd', registry=r)),
    'info unit': lambda lib, r: lib.Info('i', 'd', unit='s', registry=r),
    'info overlap': lambda lib, r: lib.Info('i', 'd', ['a'], registry=r).labels('1').info({'a': 'b'}),
    'info none': lambda lib, r: lib.Info('i', 'd', registry=r).info({'a': None}),
    'enum no states': lambda lib, r: lib.Enum('e', 'd', registry=r),
    'enum overlap': lambda lib, r: lib.Enum('e', 'd', ['e'], states=['a'], registry=r),
    'enum bad state': lambda lib, r: lib.Enum('e', 'd', states=['a'], registry=r).state('b'),
    'gauge bad value': lambda lib, r: lib.Gauge('g', 'd', registry=r).set('abc'),
    'remove count': lambda lib, r: lib.Gauge('g', 'd', ['a'], registry=r).remove('x', 'y'),
    'multiprocess mode': lambda lib, r: lib.Gauge('g', 'd', multiprocess_mode='x', registry=r),
    'bad type': lambda lib, r: lib.Metric('m', 'd', 'nonsense'),
}


class SameErrors(unittest.TestCase):
    def test_same_exception_and_message(self):
        for name, fn in BAD.items():
            with self.subTest(name):
                theirs = _error(fn, pc)
                self.assertIsNotNone(theirs)
                self.assertEqual(_error(fn, pe), theirs)

    def test_error_leaves_state_intact(self):
        r = pe.CollectorRegistry()
        c = pe.Counter('c', 'd', ['a'], registry=r)
        c.labels('x').inc(3)
        before = pe.generate_latest(r)
        for bad in (lambda: c.labels('x').inc(-1), lambda: c.labels('x', 'y'),
                    lambda: pe.Gauge('c_total', 'd', registry=r), lambda: c.inc()):
            self.assertRaises(ValueError, bad)
        self.assertEqual(pe.generate_latest(r), before)


class Negotiation(unittest.TestCase):
    def test_choose_encoder_like_upstream(self):
        for accept in (None, '', 'text/plain', 'application/openmetrics-text',
                       'application/openmetrics-text; version=1.0.0',
                       'application/openmetrics-text; version=0.0.1',
                       'application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5',
                       'text/plain; version=1.0.0', 'text/html, */*',
                       'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;q=0.1'):
            with self.subTest(accept):
                theirs = pc.exposition.choose_encoder(accept)
                ours = pe.choose_encoder(accept)  # lives in prometheus_express.http
                self.assertEqual(ours[1], theirs[1])
                om = 'openmetrics' in ours[1]
                self.assertEqual(ours[0], pe_exp.generate_openmetrics if om else pe.generate_latest)


if __name__ == '__main__':
    unittest.main()
