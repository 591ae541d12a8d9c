"""Property tests (hypothesis, CPython only): any label value or HELP text survives a round
trip through both exposition formats and prometheus_client's parsers."""
import unittest

from hypothesis import given, settings, strategies as st
from prometheus_client import parser as text_parser
from prometheus_client.openmetrics import parser as om_parser

import prometheus_express as pe
from prometheus_express.exposition import generate_openmetrics

# Any unicode text CPython can encode as UTF-8 (hypothesis leaves out lone surrogates),
# weighted towards the characters that need escaping.
chars = st.characters(exclude_categories=('Cs',))
nasty = st.text(st.one_of(st.sampled_from('\\"\n{}=,# \t\r'), chars), max_size=40)
# Parsers strip the edges of a HELP line; the formats have no escape for edge white space.
help_texts = nasty.filter(lambda h: h == h.strip())
numbers = st.one_of(st.integers(min_value=-2 ** 62, max_value=2 ** 62),
                    st.floats(allow_nan=False))


def parse(text, om):
    p = om_parser if om else text_parser
    return list(p.text_string_to_metric_families(text))


class RoundTrip(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(values=st.lists(nasty, min_size=1, max_size=5, unique=True), help_text=help_texts,
           om=st.booleans())
    def test_label_values_and_help(self, values, help_text, om):
        r = pe.CollectorRegistry()
        g = pe.Gauge('g', help_text, ['v'], registry=r)
        for i, v in enumerate(values):
            g.labels(v).set(i)
        out = (generate_openmetrics if om else pe.generate_latest)(r).decode('utf-8')
        fams = parse(out, om)
        self.assertEqual(len(fams), 1)
        self.assertEqual(fams[0].documentation, help_text)
        self.assertEqual([(s.labels['v'], s.value) for s in fams[0].samples],
                         [(v, float(i)) for i, v in enumerate(values)])

    @settings(max_examples=300, deadline=None)
    @given(value=numbers)
    def test_values(self, value):
        r = pe.CollectorRegistry()
        pe.Gauge('g', 'h', registry=r).set(value)
        c = pe.Counter('c', 'h', registry=r)
        if value >= 0:
            c.inc(value)
        fams = parse(pe.generate_latest(r).decode(), False)
        self.assertEqual(fams[0].samples[0].value, float(value))
        if value >= 0:
            self.assertEqual(fams[1].samples[0].value, float(value))


class Surrogates(unittest.TestCase):
    """A string CPython cannot encode is refused where it is given, not at every scrape."""

    @settings(max_examples=50, deadline=None)
    @given(bad=st.text(st.characters(categories=('Cs',)), min_size=1, max_size=3))
    def test_refused_early(self, bad):
        r = pe.CollectorRegistry()
        self.assertRaises(ValueError, pe.Gauge, 'g', bad, registry=r)
        g = pe.Gauge('g', 'ok', ['v'], registry=r)
        g.labels('fine').set(1)
        self.assertRaises(ValueError, g.labels, bad)
        self.assertIn(b'g{v="fine"} 1.0', pe.generate_latest(r))


if __name__ == '__main__':
    unittest.main()
