"""Property tests (hypothesis, CPython only): any label value or HELP text survives a round
trip through both exposition formats and prometheus_client's parsers; any sequence of changes
to metrics gives, after each, the page prometheus_client gives for the same changes (CPython
keeps unchanged metrics' text: cpython_rows.kept_text)."""
import re
import time
import unittest

from hypothesis import given, settings, strategies as st
import prometheus_client as pc
from prometheus_client import parser as text_parser
from prometheus_client.openmetrics.exposition import generate_latest as pc_openmetrics
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


# One change to the page's metrics: (what, label value, number).
changes = st.tuples(st.sampled_from(('set', 'set_same', 'inc', 'cinc', 'remove', 'cremove',
                                     'clear', 'unlabelled')),
                    st.sampled_from(('a', 'b', 'c')),
                    st.one_of(st.sampled_from((0.0, -0.0, 0, 1, 1.0, 2 ** 53 + 1)),
                              st.floats(min_value=0, allow_nan=False, allow_infinity=False)))


def _without_created(text):
    """The page without its `_created` samples (their timestamps differ between libraries)."""
    return re.sub(r'(?m)^[^#\n]*_created[ {].*\n', '', text)


class KeptText(unittest.TestCase):
    """A page after any sequence of changes, rendered after each one (in one format: the kept
    text is of one format), is prometheus_client's page for the same changes: the kept text
    never outlives a change."""

    @settings(max_examples=300, deadline=None)
    @given(steps=st.lists(changes, min_size=1, max_size=25))
    def test_page_follows_every_change(self, steps):
        pages = []
        for lib, gen in ((pe, pe.generate_latest), (pc, pc.generate_latest),
                         (pe, generate_openmetrics), (pc, pc_openmetrics)):
            r = lib.CollectorRegistry()
            g = lib.Gauge('g', 'A gauge.', ['k'], registry=r)
            c = lib.Counter('c', 'A counter.', ['k'], registry=r)
            u = lib.Gauge('u', 'Unlabelled.', registry=r)
            out = []
            for what, k, v in steps:
                if what == 'set':
                    g.labels(k).set(v)
                elif what == 'set_same':  # the very object set again: same text
                    g.labels(k).set(g.labels(k)._value.get() if lib is pc else
                                    g.labels(k)._v)
                elif what == 'inc':
                    g.labels(k).inc(v)
                elif what == 'cinc':
                    c.labels(k).inc(v)
                elif what == 'remove':
                    if (k,) in (g._metrics if lib is pc else {(x,): 1 for x in g._kids[0]}):
                        g.remove(k)
                elif what == 'cremove':
                    if (k,) in (c._metrics if lib is pc else {(x,): 1 for x in c._kids[0]}):
                        c.remove(k)
                elif what == 'clear':
                    g.clear()
                else:
                    u.set(v)
                out.append(_without_created(gen(r).decode()))
            pages.append(out)
        self.assertEqual(pages[0], pages[1])  # the text format
        self.assertEqual(pages[2], pages[3])  # OpenMetrics

    def test_reset_writes_the_new_created(self):
        r = pe.CollectorRegistry()
        c = pe.Counter('c', 'A counter.', registry=r)
        c.inc(3)
        before = pe.generate_latest(r).decode()
        time.sleep(0.01)
        c.reset()
        after = pe.generate_latest(r).decode()
        created = [float(re.search(r'(?m)^c_created (\S+)$', p).group(1))
                   for p in (before, after)]
        self.assertGreater(created[1], created[0])
        self.assertIn('c_total 0.0\n', after)
        self.assertAlmostEqual(created[1], time.time(), delta=5)
