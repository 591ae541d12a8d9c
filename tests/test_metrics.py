# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""Metric behaviour and errors; expected lines are written from the exposition spec by hand."""
import unittest

from prometheus_express import (CollectorRegistry, Counter, Enum, Gauge, Histogram, Info,
                                Summary, disable_created_metrics, enable_created_metrics,
                                generate_latest)
from prometheus_express import metrics as _metrics
from prometheus_express._format import CPYTHON


def text(reg):
    return generate_latest(reg).decode('utf-8')


class NoCreated(unittest.TestCase):
    def setUp(self):
        disable_created_metrics()
        self.r = CollectorRegistry()

    def tearDown(self):
        enable_created_metrics()


class CounterTest(NoCreated):
    def test_inc_and_output(self):
        c = Counter('jobs_total', 'Jobs done', registry=self.r)
        c.inc()
        c.inc(2)
        self.assertEqual(text(self.r),
                         '# HELP jobs_total Jobs done\n# TYPE jobs_total counter\njobs_total 3.0\n')

    def test_int_stays_exact_past_2_24(self):
        c = Counter('big', 'b', registry=self.r)
        for _ in range(3):
            c.inc(2 ** 24 + 1)
        self.assertEqual(c._v, 3 * (2 ** 24 + 1))
        self.assertIs(type(c._v), int)
        self.assertIn('big_total 5.0331651e+07\n', text(self.r))

    def test_negative_raises_and_keeps_value(self):
        c = Counter('c', 'c', registry=self.r)
        c.inc(5)
        with self.assertRaises(ValueError):
            c.inc(-1)
        self.assertEqual(self.r.get_sample_value('c_total'), 5)

    def test_reset(self):
        c = Counter('c', 'c', registry=self.r)
        c.inc(5)
        c.reset()
        self.assertEqual(self.r.get_sample_value('c_total'), 0)

    def test_count_exceptions(self):
        c = Counter('errs', 'e', registry=self.r)

        @c.count_exceptions(ValueError)
        def f(x):
            if x:
                raise ValueError('boom')
            return 7

        self.assertEqual(f(0), 7)
        with self.assertRaises(ValueError):
            f(1)
        with self.assertRaises(KeyError):
            with c.count_exceptions(ValueError):
                raise KeyError('other')
        with self.assertRaises(ValueError):
            with c.count_exceptions():
                raise ValueError('again')
        self.assertEqual(self.r.get_sample_value('errs_total'), 2)


class LabelsTest(NoCreated):
    def test_positional_and_keyword_same_child(self):
        c = Counter('req', 'r', ['method', 'code'], registry=self.r)
        c.labels('get', 200).inc()
        c.labels(code='200', method='get').inc()
        self.assertEqual(self.r.get_sample_value('req_total', {'method': 'get', 'code': '200'}), 2)
        self.assertIs(c.labels('get', '200'), c.labels(method='get', code=200))

    def test_label_order_in_output_is_sorted_and_children_in_creation_order(self):
        g = Gauge('t', 'd', ['zone', 'app'], registry=self.r)
        for i in range(12):
            g.labels('z%d' % i, 'a').set(i)
        lines = text(self.r).split('\n')[2:-1]
        self.assertEqual(lines, ['t{app="a",zone="z%d"} %d.0' % (i, i) for i in range(12)])

    def test_errors(self):
        c = Counter('req', 'r', ['a', 'b'], registry=self.r)
        for bad in (lambda: c.labels('x'), lambda: c.labels(a='x'), lambda: c.labels('x', b='y'),
                    lambda: c.labels('x', 'y').labels('x', 'y'), lambda: c.inc(),
                    lambda: c.count_exceptions(), lambda: Counter('n', 'd', registry=None).labels('x'),
                    lambda: c.remove('x')):
            self.assertRaises(ValueError, bad)
        # only the child made by the chained call exists; nothing else was half-made
        self.assertEqual(text(self.r), '# HELP req_total r\n# TYPE req_total counter\n'
                                       'req_total{a="x",b="y"} 0.0\n')

    def test_parent_message(self):
        g = Gauge('g', 'd', ['a'], registry=self.r)
        try:
            g.set(1)
        except ValueError as e:
            self.assertEqual(str(e), 'gauge metric is missing label values')
        else:
            self.fail('no error')

    def test_invalid_and_reserved_names(self):
        self.assertRaises(ValueError, Counter, '', 'd', registry=self.r)
        self.assertRaises(ValueError, Counter, 'c', 'd', ['__x'], registry=self.r)
        self.assertRaises(ValueError, Histogram, 'h', 'd', ['le'], registry=self.r)
        self.assertRaises(ValueError, Summary, 's', 'd', ['quantile'], registry=self.r)
        self.assertRaises(ValueError, Info, 'i', 'd', unit='x', registry=self.r)

    def test_remove_and_clear(self):
        g = Gauge('g', 'd', ['a'], registry=self.r)
        for v in 'xyz':
            g.labels(v).set(1)
        g.remove('y')
        self.assertEqual(text(self.r).count('\ng{'), 2)
        self.assertIsNone(self.r.get_sample_value('g', {'a': 'y'}))
        g.remove_by_labels({'a': 'x'})
        self.assertEqual(text(self.r).split('\n')[2:], ['g{a="z"} 1.0', ''])
        g.clear()
        self.assertEqual(text(self.r), '# HELP g d\n# TYPE g gauge\n')
        g.labels('y').inc()
        self.assertEqual(self.r.get_sample_value('g', {'a': 'y'}), 1)

    def test_escaping_label_values(self):
        g = Gauge('g', 'h\\elp\n"q"', ['a'], registry=self.r)
        g.labels('back\\slash "quoted"\nnew').set(1)
        self.assertEqual(text(self.r),
                         '# HELP g h\\\\elp\\n"q"\n# TYPE g gauge\n'
                         'g{a="back\\\\slash \\"quoted\\"\\nnew"} 1.0\n')


class GaugeTest(NoCreated):
    def test_ops(self):
        g = Gauge('g', 'd', registry=self.r)
        g.inc(3)
        g.dec()
        self.assertEqual(self.r.get_sample_value('g'), 2)
        g.set('4.5')
        self.assertEqual(self.r.get_sample_value('g'), 4.5)
        with g.track_inprogress():
            self.assertEqual(self.r.get_sample_value('g'), 5.5)
        self.assertEqual(self.r.get_sample_value('g'), 4.5)
        g.set_to_current_time()
        self.assertTrue(self.r.get_sample_value('g') > 1577836800)
        self.assertRaises(ValueError, g.set, 'abc')

    def test_set_function_and_time(self):
        g = Gauge('g', 'd', registry=self.r)
        g.set_function(lambda: 42)
        self.assertIn('\ng 42.0\n', text(self.r))
        h = Gauge('h', 'd', registry=self.r)
        with h.time():
            pass
        self.assertTrue(0 <= self.r.get_sample_value('h') < 1)

    def test_special_values(self):
        g = Gauge('g', 'd', ['k'], registry=self.r)
        g.labels('inf').set(float('inf'))
        g.labels('ninf').set(float('-inf'))
        g.labels('nan').set(float('nan'))
        g.labels('big').set(12345678.0)
        g.labels('neg').set(-12345678)
        lines = text(self.r).split('\n')[2:-1]
        self.assertEqual(lines, ['g{k="inf"} +Inf', 'g{k="ninf"} -Inf', 'g{k="nan"} NaN',
                                 'g{k="big"} 1.2345678e+07', 'g{k="neg"} -12345678.0'])


class HistogramSummaryTest(NoCreated):
    def test_histogram(self):
        h = Histogram('lat_seconds', 'd', buckets=(0.1, 1, 5), registry=self.r)
        for v in (0.05, 0.1, 0.5, 3, 100):
            h.observe(v)
        self.assertEqual(text(self.r).split('\n')[2:-1], [
            'lat_seconds_bucket{le="0.1"} 2.0', 'lat_seconds_bucket{le="1.0"} 3.0',
            'lat_seconds_bucket{le="5.0"} 4.0', 'lat_seconds_bucket{le="+Inf"} 5.0',
            'lat_seconds_count 5.0', 'lat_seconds_sum 103.65'])

    def test_bucket_errors(self):
        self.assertRaises(ValueError, Histogram, 'h', 'd', buckets=(2, 1), registry=self.r)
        self.assertRaises(ValueError, Histogram, 'h', 'd', buckets=(), registry=self.r)
        Histogram('h', 'd', buckets=(1, float('inf')), registry=self.r)

    def test_histogram_timer_with_labels(self):
        h = Histogram('h', 'd', ['fn'], registry=self.r)

        timer = h.labels('f').time()  # MicroPython's grammar: a decorator is a dotted name + call

        @timer
        def f():
            return 1

        f()
        f()
        self.assertEqual(self.r.get_sample_value('h_count', {'fn': 'f'}), 2)

    def test_summary(self):
        s = Summary('s', 'd', registry=self.r)
        s.observe(2)
        s.observe(0.5)
        self.assertEqual(text(self.r).split('\n')[2:-1], ['s_count 2.0', 's_sum 2.5'])
        with s.time():
            pass
        self.assertEqual(self.r.get_sample_value('s_count'), 3)


class InfoEnumTest(NoCreated):
    def test_info(self):
        i = Info('build', 'd', registry=self.r)
        i.info({'version': '1.2', 'commit': 'abc'})
        self.assertEqual(text(self.r), '# HELP build_info d\n# TYPE build_info gauge\n'
                                       'build_info{commit="abc",version="1.2"} 1.0\n')
        self.assertRaises(ValueError, i.info, {'a': None})
        j = Info('j', 'd', ['a'], registry=self.r)
        self.assertRaises(ValueError, j.labels('x').info, {'a': '1'})

    def test_enum(self):
        e = Enum('state', 'd', states=['starting', 'running'], registry=self.r)
        self.assertIn('state{state="starting"} 1.0\nstate{state="running"} 0.0\n', text(self.r))
        e.state('running')
        self.assertIn('state{state="starting"} 0.0\nstate{state="running"} 1.0\n', text(self.r))
        self.assertRaises(ValueError, e.state, 'nope')
        self.assertRaises(ValueError, Enum, 'e', 'd', registry=self.r)
        self.assertRaises(ValueError, Enum, 'e', 'd', ['e'], states=['a'], registry=self.r)


class CreatedTest(unittest.TestCase):
    def setUp(self):
        self.r = CollectorRegistry()

    def test_created_family_after_samples(self):
        c = Counter('c', 'd', registry=self.r)
        c.inc()
        lines = text(self.r).split('\n')
        self.assertEqual(lines[:5], ['# HELP c_total d', '# TYPE c_total counter', 'c_total 1.0',
                                     '# HELP c_created d', '# TYPE c_created gauge'])
        self.assertTrue(lines[5].startswith('c_created '))
        self.assertTrue(float(lines[5].split(' ')[1]) > 1577836800)

    def test_unset_clock_leaves_created_out_on_boards(self):
        c = Counter('c', 'd', registry=self.r)
        c._c = 3600.0  # what a board fresh from reset would have stamped
        out = text(self.r)
        if CPYTHON:  # prometheus_client writes it whatever the clock says; so do we there
            self.assertIn('c_created 3600.0\n', out)
        else:
            self.assertEqual(out, '# HELP c_total d\n# TYPE c_total counter\nc_total 0.0\n')

    def test_switch(self):
        Counter('c', 'd', registry=self.r)
        disable_created_metrics()
        try:
            self.assertFalse('_created' in text(self.r))
        finally:
            enable_created_metrics()
        self.assertIn('c_created', text(self.r))


class ModuleNames(unittest.TestCase):
    def test_a_missing_name_is_an_attribute_error_everywhere(self):
        import prometheus_express
        from prometheus_express import exposition
        for mod in (prometheus_express, _metrics, exposition):
            for name in ('no_such_name', '__no_such_dunder__'):
                try:
                    getattr(mod, name)
                except AttributeError:
                    pass  # not ImportError (a board has no CPython-only modules to look in)
                else:
                    self.fail(name)
        if CPYTHON:  # prometheus_client's module layout (on boards: from the package only)
            self.assertTrue(_metrics.Histogram is Histogram)
            self.assertTrue(exposition.MetricsHandler is prometheus_express.MetricsHandler)


class RegistryTest(unittest.TestCase):
    def test_duplicates_and_unregister(self):
        r = CollectorRegistry()
        c = Counter('c', 'd', registry=r)
        self.assertRaises(ValueError, Gauge, 'c_total', 'd', registry=r)
        self.assertRaises(ValueError, r.register, c)
        r.unregister(c)
        Gauge('c_total', 'd', registry=r)

    def test_namespace_and_several_registries(self):
        disable_created_metrics()
        try:
            a = CollectorRegistry(namespace='prom_express')
            b = CollectorRegistry()
            g = Gauge('temperature', 'temp', ['sensor'], registry=None)
            a.register(g)
            b.register(g)
            g.labels('si7021').set(24.5)
            self.assertEqual(a.render(), '# HELP prom_express_temperature temp\n'
                                         '# TYPE prom_express_temperature gauge\n'
                                         'prom_express_temperature{sensor="si7021"} 24.5\n')
            self.assertEqual(b.render(), a.render().replace('prom_express_', ''))
            self.assertEqual(a.get_sample_value('prom_express_temperature', {'sensor': 'si7021'}),
                             24.5)
        finally:
            enable_created_metrics()

    def test_custom_collector(self):
        from prometheus_express import GaugeMetricFamily, CounterMetricFamily

        class C:
            def collect(self):
                g = GaugeMetricFamily('custom', 'help', labels=['x'])
                g.add_metric(['1'], 2.5)
                yield g
                yield CounterMetricFamily('things_total', 'h', value=3)

        r = CollectorRegistry()
        r.register(C())
        self.assertEqual(text(r), '# HELP custom help\n# TYPE custom gauge\ncustom{x="1"} 2.5\n'
                                  '# HELP things_total h\n# TYPE things_total counter\n'
                                  'things_total 3.0\n')
        self.assertEqual(r.get_sample_value('things_total'), 3)


class StreamTest(NoCreated):
    def test_pieces_are_small(self):
        g = Gauge('g', 'd', ['i'], registry=self.r)
        for i in range(300):
            g.labels(str(i)).set(i)
        from prometheus_express.exposition import write_text
        pieces = []
        write_text(self.r, pieces.append)
        if not CPYTHON:  # (CPython writes a metric's kept text as one piece: cpython_rows)
            self.assertTrue(max([len(p) for p in pieces]) < 40)
        # str pieces, or bytes prepared once on boards
        page = b''.join([p if isinstance(p, bytes) else p.encode('utf-8') for p in pieces])
        self.assertEqual(page, generate_latest(self.r))


if __name__ == '__main__':
    unittest.main()


class BoardCells(unittest.TestCase):
    """On boards a float value lives in a cell that set() overwrites (no allocation per
    update: the soak in tests/test_boards.py fragments a 96 KB heap without it)."""

    def test_values_through_cells(self):
        r = CollectorRegistry()
        g = Gauge('g', 'd', ['k'], registry=r)
        c = Counter('c', 'd', registry=r)
        g.labels('a').set(1.5)
        g.labels('a').set(2.5)
        g.labels('a').inc(0.5)
        g.labels('b').set(7)
        g.labels('b').inc(0.25)
        c.inc(2)
        c.inc(0.5)
        self.assertEqual(r.get_sample_value('g', {'k': 'a'}), 3.0)
        self.assertEqual(r.get_sample_value('g', {'k': 'b'}), 7.25)
        self.assertEqual(r.get_sample_value('c_total'), 2.5)
        self.assertTrue('g{k="a"} 3.0\n' in text(r))
        self.assertTrue('c_total 2.5\n' in text(r))

    def test_set_allocates_nothing_on_boards(self):
        if CPYTHON:
            return
        import gc
        g = Gauge('g', 'd', ['k'], registry=CollectorRegistry())
        child = g.labels('a')
        child.set(1.5)
        vals = [i + 0.5 for i in range(50)]
        gc.collect()
        gc.disable()
        try:
            before = gc.mem_alloc()
            for v in vals:
                child.set(v)
            grew = gc.mem_alloc() - before
        finally:
            gc.enable()
        self.assertEqual(grew, 0)

    def test_sums_live_in_slots_on_boards(self):
        """A Histogram's or Summary's float sum is overwritten in its slot, not replaced by a
        new long-lived float at every observe()."""
        r = CollectorRegistry()
        h = Histogram('h', 'd', ['k'], registry=r).labels('a')
        s = Summary('s', 'd', registry=r)
        for i in range(50):
            h.observe(i * 0.5)
            s.observe(i * 0.5)
        if not CPYTHON:
            self.assertIs(h._v, None)
            self.assertIs(s._v, None)
        self.assertEqual(r.get_sample_value('h_sum', {'k': 'a'}), 612.5)
        self.assertEqual(r.get_sample_value('s_sum'), 612.5)
        self.assertTrue('h_count{k="a"} 50.0' in text(r))


class Slots(unittest.TestCase):
    """Float values of children on boards live in their parent's slot arrays: removal and
    clear() give slots back, a held child keeps working, a reused slot is not shared."""

    def test_remove_reuse_and_held_children(self):
        r = CollectorRegistry()
        g = Gauge('g', 'd', ['k'], registry=r)
        for i in range(40):
            g.labels(str(i)).set(i + 0.5)
        held = g.labels('3')
        g.remove('3')
        g.labels('new').set(99.5)   # may take the slot '3' had
        self.assertEqual(_metrics.value(held), 3.5)  # it keeps its value, out of the slot it gave back
        held.set(7.25)              # the removed child: no effect on the page
        held.inc(1.5)
        self.assertEqual(r.get_sample_value('g', {'k': 'new'}), 99.5)
        self.assertEqual(r.get_sample_value('g', {'k': '4'}), 4.5)
        self.assertEqual(r.get_sample_value('g', {'k': '3'}), None)
        g.labels('5').set(8)        # an int again
        g.labels('5').inc(0.5)
        self.assertEqual(r.get_sample_value('g', {'k': '5'}), 8.5)
        kept = g.labels('6')
        g.clear()
        kept.set(1.5)
        g.labels('6').set(2.5)
        self.assertEqual(r.get_sample_value('g', {'k': '6'}), 2.5)
        self.assertEqual(text(r), '# HELP g d\n# TYPE g gauge\ng{k="6"} 2.5\n')
