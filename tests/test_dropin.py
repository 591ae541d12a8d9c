"""The prometheus_client API on CPython beyond the core, against prometheus_client 0.26 itself:
the name escaping schemes, exemplars in OpenMetrics, write_to_textfile, the default
REGISTRY's process/platform/gc collectors, and escaping negotiated by our server."""
import http.client
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from unittest import mock

import prometheus_client as pc
from prometheus_client.openmetrics import exposition as pc_om

import prometheus_express as pe
from prometheus_express import openmetrics as pe_om

SCHEMES = ('allow-utf-8', 'underscores', 'dots', 'values', 'bogus')


def build(lib):
    r = lib.CollectorRegistry()
    c = lib.Counter('utf8.requests', 'Requests.', ['http.method', 'code'], registry=r)
    c.labels('GET', '200').inc(3)
    lib.Gauge('room_humidity_ratio', 'A classic name.', ['a_b'], registry=r).labels('x').set(1.5)
    lib.Gauge('temp.°C', 'Odd characters.', registry=r).set(-2)
    h = lib.Histogram('lat_seconds', 'L.', ['re.gion'], buckets=(0.5, 1), registry=r)
    h.labels('eu').observe(0.7)
    lib.Info('build', 'Build.', registry=r).info({'version': '1.2', 'git.sha': 'abc'})
    return r


class Escaping(unittest.TestCase):
    def test_each_scheme_same_bytes_as_prometheus_client(self):
        with mock.patch.object(time, 'time', return_value=1700000000.5):
            ours, theirs = build(pe), build(pc)
        for scheme in SCHEMES:
            with self.subTest(scheme):
                self.assertEqual(pe.generate_latest(ours, scheme),
                                 pc.generate_latest(theirs, scheme))
                if scheme not in ('values', 'bogus'):
                    self.assertEqual(pe_om.generate_latest(ours, scheme),
                                     pc_om.generate_latest(theirs, scheme))
                for name in ('a.b', 'a_b', 'ü', '1x', '__x', 'a:b', ''):
                    self.assertEqual(pe_om.escape_metric_name(name, scheme),
                                     pc_om.escape_metric_name(name, scheme))
                    self.assertEqual(pe_om.escape_label_name(name, scheme),
                                     pc_om.escape_label_name(name, scheme))

    def test_openmetrics_values_scheme_names_samples_as_their_family(self):
        # prometheus_client 0.26 writes `# TYPE room_humidity_ratio gauge` and then
        # `U__plain__gauge{...}` (its sample lines escape legacy names too, its HELP/TYPE lines
        # do not), which no parser takes; ours writes the family's name on both
        with mock.patch.object(time, 'time', return_value=1700000000.5):
            page = pe_om.generate_latest(build(pe), 'values').decode()
        self.assertIn('# TYPE room_humidity_ratio gauge\nroom_humidity_ratio{a_b="x"} 1.5\n', page)
        # a name outside the classic set is escaped whole, suffix and all, as upstream does
        self.assertIn('# TYPE U__utf8_2e_requests counter\nU__utf8_2e_requests__total{', page)

    def test_choose_encoder_negotiates_escaping_as_prometheus_client(self):
        with mock.patch.object(time, 'time', return_value=1700000000.5):
            ours, theirs = build(pe), build(pc)
        for accept in ('text/plain;version=1.0.0;escaping=allow-utf-8',
                       'text/plain;version=1.0.0;escaping=dots',
                       'application/openmetrics-text;version=1.0.0;escaping=values',
                       'application/openmetrics-text;version=1.0.0;escaping=bogus',
                       'application/openmetrics-text;escaping=allow-utf-8',
                       'text/plain;escaping=allow-utf-8',
                       'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,'
                       'application/openmetrics-text;version=0.0.1;q=0.5,text/plain;'
                       'version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;'
                       'q=0.3,*/*;q=0.2'):
            with self.subTest(accept):
                gen, ctype = pe.choose_encoder(accept)
                pgen, pctype = pc.exposition.choose_encoder(accept)
                self.assertEqual(ctype, pctype)
                if not ctype.startswith('application/openmetrics-text') or \
                        not ctype.endswith('=values'):  # see the test above
                    self.assertEqual(gen(ours), pgen(theirs))


class Exemplars(unittest.TestCase):
    def test_openmetrics_lines_as_prometheus_client(self):
        pages = []
        for lib, om in ((pe, pe_om), (pc, pc_om)):
            with mock.patch.object(time, 'time', return_value=1700000000.5):
                r = lib.CollectorRegistry()
                c = lib.Counter('orders', 'Orders.', ['shop'], registry=r)
                c.labels('a').inc(2, exemplar={'trace_id': 'abc"1'})
                c.labels('b').inc()
                h = lib.Histogram('lat_seconds', 'L.', buckets=(0.5, 1), registry=r)
                h.observe(0.7, exemplar={'trace_id': 'x'})
                h.observe(0.2)
            pages.append(om.generate_latest(r))
        self.assertEqual(pages[0], pages[1])
        self.assertIn(b'orders_total{shop="a"} 2.0 # {trace_id="abc\\"1"} 2.0 1700000000.5',
                      pages[0])

    def test_checked_as_prometheus_client_checks_them(self):
        for lib in (pe, pc):
            r = lib.CollectorRegistry()
            c = lib.Counter('c', 'C.', registry=r)
            with self.assertRaises(ValueError):
                c.inc(exemplar={'k': 'v' * 128})
            c.inc(exemplar={'k': 'v' * 127})  # 128 characters: taken
            h = lib.Histogram('h', 'H.', registry=r)
            self.assertRaises(ValueError, h.observe, 1, {'__reserved': 'v'})
            # prometheus_client counts the increment before it checks the exemplar; ours
            # refuses the call whole (a bad call never changes a value)
            self.assertEqual(r.get_sample_value('c_total'), 2.0 if lib is pc else 1.0)


class Textfile(unittest.TestCase):
    def test_same_file_as_prometheus_client_and_promtool_takes_it(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        with mock.patch.object(time, 'time', return_value=1700000000.5):
            ours, theirs = build(pe), build(pc)
        pe.write_to_textfile(os.path.join(d, 'ours.prom'), ours)
        pc.write_to_textfile(os.path.join(d, 'theirs.prom'), theirs)
        with open(os.path.join(d, 'ours.prom'), 'rb') as a, \
                open(os.path.join(d, 'theirs.prom'), 'rb') as b:
            self.assertEqual(a.read(), b.read())
        self.assertEqual(sorted(os.listdir(d)), ['ours.prom', 'theirs.prom'])  # no temp left
        promtool = shutil.which('promtool')
        if promtool is None and os.environ.get('PROMEX_REQUIRE_ALL') != '1':
            self.skipTest('promtool not installed')
        p = subprocess.run([promtool, 'check', 'metrics'],
                           input=pe.generate_latest(ours, 'underscores'), capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class DefaultRegistry(unittest.TestCase):
    def test_process_platform_and_gc_collectors_as_prometheus_client(self):
        def names(reg):
            return sorted({s.name for m in reg.collect() for s in m.samples
                           if s.name.startswith(('process_', 'python_'))})
        self.assertEqual(names(pe.REGISTRY), names(pc.REGISTRY))
        self.assertIn('process_resident_memory_bytes', names(pe.REGISTRY))
        self.assertEqual(pe.REGISTRY.get_sample_value('process_max_fds'),
                         pc.REGISTRY.get_sample_value('process_max_fds'))
        self.assertEqual(set(pe.__all__), set(pc.__all__))
        for name in pc.__all__:
            getattr(pe, name)


class ServerEscaping(unittest.TestCase):
    def test_our_server_answers_the_asked_escaping(self):
        r = pe.CollectorRegistry()
        pe.Gauge('temp.celsius', 'T.', registry=r).set(3)
        server, thread = pe.start_http_server(0, '127.0.0.1', r)
        try:
            for accept, ctype, line in (
                    ('text/plain;version=1.0.0;escaping=allow-utf-8',
                     'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
                     b'{"temp.celsius"} 3.0\n'),
                    ('text/plain;version=1.0.0',
                     'text/plain; version=1.0.0; charset=utf-8; escaping=underscores',
                     b'temp_celsius 3.0\n'),
                    ('application/openmetrics-text;version=1.0.0;escaping=dots',
                     'application/openmetrics-text; version=1.0.0; charset=utf-8; '
                     'escaping=dots', b'temp_dot_celsius 3.0\n')):
                c = http.client.HTTPConnection('127.0.0.1', server.port, timeout=5)
                c.request('GET', '/metrics', headers={'Accept': accept})
                resp = c.getresponse()
                body = resp.read()
                c.close()
                self.assertEqual(resp.getheader('Content-Type'), ctype)
                self.assertIn(line, body)
        finally:
            server.shutdown()
            thread.join(5)


if __name__ == '__main__':
    unittest.main()
