"""Remote write, checked as prometheus/compliance's remote-write sender suite checks a sender,
against an in-process receiver that decodes with independent decoders (the protobuf and
cramjam packages), and against two real receivers on 127.0.0.1: Prometheus
(--web.enable-remote-write-receiver) and VictoriaMetrics."""
import http.server
import math
import os
import shutil
import struct
import tempfile
import threading
import time
import unittest

import cramjam
import prometheus_client as pc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import prometheus_express as pe
from prometheus_express.remote_encode import snappy_literal
from prometheus_express.remote_write import RemoteWriter

from services import Prometheus, VictoriaMetrics, free_port, wait_for

STALE_BITS = 0x7ff0000000000002  # the remote write spec's staleness marker


def write_request_class():
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name='remote.proto', package='prometheus',
                                             syntax='proto3')

    def msg(name, fields):
        m = fdp.message_type.add(name=name)
        for fname, num, typ, label, tname in fields:
            f = m.field.add(name=fname, number=num, type=typ, label=label)
            if tname:
                f.type_name = tname
    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    msg('Label', [('name', 1, F.TYPE_STRING, opt, None), ('value', 2, F.TYPE_STRING, opt, None)])
    msg('Sample', [('value', 1, F.TYPE_DOUBLE, opt, None),
                   ('timestamp', 2, F.TYPE_INT64, opt, None)])
    msg('TimeSeries', [('labels', 1, F.TYPE_MESSAGE, rep, '.prometheus.Label'),
                       ('samples', 2, F.TYPE_MESSAGE, rep, '.prometheus.Sample')])
    msg('WriteRequest', [('timeseries', 1, F.TYPE_MESSAGE, rep, '.prometheus.TimeSeries')])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName('prometheus.WriteRequest'))


WriteRequest = write_request_class()


def bits(v):
    return struct.unpack('<Q', struct.pack('<d', v))[0]


class Receiver:
    """An HTTP remote-write receiver in a thread: answers from a script (status, headers,
    delay), records each request's headers and decoded series."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.requests = []  # (headers, [(labels tuple, [(value, ts)])])
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                status, headers, delay = outer.answers.pop(0) if outer.answers else (204, {}, 0)
                time.sleep(delay)
                wr = WriteRequest()
                wr.ParseFromString(bytes(cramjam.snappy.decompress_raw(body)))
                series = [(tuple((l.name, l.value) for l in ts.labels),
                           [(s.value, s.timestamp) for s in ts.samples]) for ts in wr.timeseries]
                outer.requests.append((self.headers, series, len(body)))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header('Content-Length', '0')
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/api/v1/write' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def samples(self):
        """{labels dict as sorted tuple: [(value, ts)]} over every request, in arrival order."""
        out = {}
        for headers, series, n in self.requests:
            for labels, samples in series:
                out.setdefault(labels, []).extend(samples)
        return out


class Compliance(unittest.TestCase):
    """The cases of prometheus/compliance's remote_write_sender suite, as tests of ours."""

    def setUp(self):
        self.rx = Receiver()
        self.addCleanup(self.rx.stop)
        self.r = pe.CollectorRegistry()

    def writer(self, **kw):
        kw.setdefault('labels', {'job': 'board', 'instance': 'pico-1'})
        return RemoteWriter(self.rx.url, self.r, timeout=5, **kw)

    def test_headers(self):
        pe.Gauge('now', 'Now.', registry=self.r).set(1)
        self.writer().write()
        h = self.rx.requests[0][0]
        self.assertEqual(h['Content-Encoding'], 'snappy')
        self.assertEqual(h['Content-Type'], 'application/x-protobuf')
        self.assertEqual(h['X-Prometheus-Remote-Write-Version'], '0.1.0')
        self.assertEqual(len(h.get_all('User-Agent')), 1)
        self.assertTrue(h['User-Agent'].startswith('prometheus_express/'))
        self.assertEqual(int(h['Content-Length']), self.rx.requests[0][2])

    def test_counter_gauge_histogram_summary_values_as_prometheus_client_has_them(self):
        peer = pc.CollectorRegistry()
        for reg, mod in ((self.r, pe), (peer, pc)):
            c = mod.Counter('reads', 'Reads.', ['sensor'], registry=reg)
            c.labels('a').inc(3)
            c.labels('b').inc(2.5)
            mod.Gauge('temp_celsius', 'T.', registry=reg).set(21.5)
            h = mod.Histogram('latency_seconds', 'L.', buckets=(0.1, 1, 5), registry=reg)
            s = mod.Summary('size_bytes', 'S.', registry=reg)
            for v in (0.05, 0.5, 3, 7):
                h.observe(v)
                s.observe(v * 100)
        self.writer(labels={'job': 'j', 'instance': 'i'}).write()
        got = self.rx.samples()
        ts = got[(('__name__', 'temp_celsius'), ('instance', 'i'), ('job', 'j'))][0][1]
        self.assertTrue(abs(ts - time.time() * 1000) < 5000)
        want = {}
        for fam in peer.collect():
            for name, labels, value, *_ in fam.samples:
                if name.endswith('_created'):
                    continue
                labels = dict(labels, __name__=name, job='j', instance='i')
                want[tuple(sorted(labels.items()))] = [(value, ts)]
        mine = dict((k, v) for k, v in got.items() if not k[0][1].endswith('_created')
                    and not k[0][1].startswith('remote_write_'))
        self.assertEqual(mine, want)
        created = [k for k in got if k[0][1] == 'reads_created']
        self.assertEqual(len(created), 2)

    def test_job_instance_and_name_on_every_series_sorted_unique_nonempty(self):
        g = pe.Gauge('door_open', 'Door.', ['room', 'instance'], registry=self.r)
        g.labels('', 'door-1').set(1)
        g.labels('hall', '').set(0)
        self.writer().write()
        got = self.rx.samples()
        self.assertIn((('__name__', 'door_open'), ('instance', 'door-1'), ('job', 'board')), got)
        # an empty value means "no label": the metric's empty instance leaves it out, and
        # the writer's instance label is not put back over it
        self.assertIn((('__name__', 'door_open'), ('job', 'board'), ('room', 'hall')), got)
        for labels in got:
            names = [k for k, v in labels]
            self.assertEqual(names, sorted(set(names)))
            self.assertEqual(names[0], '__name__')
            self.assertTrue(all(v for k, v in labels))
            self.assertIn('job', names)

    def test_staleness_markers_for_series_that_go(self):
        g = pe.Gauge('bed_moisture', 'M.', ['bed'], registry=self.r)
        c = pe.Counter('pumps', 'P.', registry=self.r)
        g.labels('north').set(1)
        g.labels('south').set(2)
        c.inc()
        w = self.writer()
        t0 = int(time.time()) - 60
        w.write(t0)
        g.remove('south')
        self.r.unregister(c)
        w.write(t0 + 10)
        w.write(t0 + 20)
        got = self.rx.samples()
        for name, labels in (('bed_moisture', (('bed', 'south'),)), ('pumps_total', ()),
                             ('pumps_created', ())):
            key = tuple(sorted((('__name__', name), ('job', 'board'), ('instance', 'pico-1'))
                               + labels))
            samples = got[key]
            self.assertEqual([t for v, t in samples], [t0 * 1000, (t0 + 10) * 1000], name)
            self.assertEqual(bits(samples[1][0]), STALE_BITS)
        north = got[(('__name__', 'bed_moisture'), ('bed', 'north'), ('instance', 'pico-1'),
                     ('job', 'board'))]
        self.assertEqual(north, [(1.0, (t0 + i) * 1000) for i in (0, 10, 20)])

    def test_ordering_with_a_slow_receiver(self):
        self.rx.answers = [(204, {}, 0.3)] * 3
        g = pe.Gauge('level', 'L.', ['tank'], registry=self.r)
        w = self.writer(max_batch=10)
        t0 = int(time.time()) - 100
        for i in range(12):
            g.labels('t%d' % (i % 4)).set(i)
            w.snapshot(t0 + i)
        w.flush()
        self.assertTrue(len(self.rx.requests) > 3)
        for labels, samples in self.rx.samples().items():
            ts = [t for v, t in samples]
            self.assertEqual(ts, sorted(set(ts)), labels)

    def test_5xx_is_retried_after_a_backoff(self):
        self.rx.answers = [(500, {}, 0), (503, {}, 0)]
        pe.Gauge('g', 'G.', registry=self.r).set(7)
        w = self.writer()
        t0 = int(time.time()) - 60
        self.assertEqual(w.write(t0), 0)
        self.assertEqual(w.write(t0 + 1), 0)  # backing off: no request
        self.assertEqual(len(self.rx.requests), 1)
        self.assertEqual(w.flush(force=True), 0)
        self.assertEqual(w._backoff, 2)  # 1 s, then 2 s
        self.assertEqual(w.flush(force=True), 6)  # 2 x (g, the sent counter's _total, _created)
        got = self.rx.samples()
        key = (('__name__', 'g'), ('instance', 'pico-1'), ('job', 'board'))
        self.assertEqual(got[key][-2:], [(7.0, t0 * 1000), (7.0, (t0 + 1) * 1000)])
        self.assertIsNone(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                  {'reason': 'rejected'}))

    def test_429_waits_for_retry_after(self):
        self.rx.answers = [(429, {'Retry-After': '7'}, 0)]
        pe.Gauge('g', 'G.', registry=self.r).set(7)
        w = self.writer()
        w.write()
        self.assertEqual(w._backoff, 7)
        self.assertEqual(w.flush(), 0)
        self.assertEqual(len(self.rx.requests), 1)
        self.assertTrue(w.flush(force=True) > 0)

    def test_400_is_dropped_not_retried(self):
        self.rx.answers = [(400, {}, 0)]
        pe.Gauge('g', 'G.', registry=self.r).set(7)
        w = self.writer()
        n = w.snapshot()
        self.assertEqual(w.flush(), 0)
        self.assertEqual(w.pending, 0)
        self.assertEqual(len(self.rx.requests), 1)
        self.assertEqual(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                 {'reason': 'rejected'}), n)

    def test_backlog_bigger_than_a_snappy_chunk_streams(self):
        g = pe.Gauge('cell_voltage', 'V.', ['cell'], registry=self.r)
        for i in range(1500):
            g.labels('cell-%04d-%s' % (i, 'x' * 40)).set(i / 8)
        w = self.writer(max_batch=5000)
        t0 = int(time.time()) - 60
        for i in range(3):
            w.snapshot(t0 + i)
        self.assertEqual(w.flush(), 3 * 1502)  # + the sent counter's _total and _created
        self.assertEqual(len(self.rx.requests), 1)
        self.assertTrue(self.rx.requests[0][2] > 3 * 65536)
        got = self.rx.samples()
        key = (('__name__', 'cell_voltage'), ('cell', 'cell-1499-' + 'x' * 40),
               ('instance', 'pico-1'), ('job', 'board'))
        self.assertEqual(got[key], [(1499 / 8, (t0 + i) * 1000) for i in range(3)])

    def test_offline_label_churn_keeps_no_label_sets_beyond_the_buffer(self):
        g = pe.Gauge('rssi_dbm', 'RSSI.', ['peer'], registry=self.r)
        w = RemoteWriter('http://127.0.0.1:%d/api/v1/write' % free_port(), self.r,
                         max_samples=500, timeout=1)
        t0 = int(time.time()) - 100000
        taken = 0
        for i in range(2000):
            g.clear()
            g.labels('peer-%d' % i).set(-60)
            taken += w.snapshot(t0 + i)
            w.flush()
        self.assertTrue(w.held <= 500 + 10)
        keys = set()
        for ks, data in w.buffer.snaps:
            keys.update(id(k) for k in ks)
        keys.update(id(k) for k in w._last)
        self.assertTrue(len(keys) <= w.held + len(w._last), len(keys))
        self.assertEqual(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                 {'reason': 'buffer_full'}) + w.held, taken)


class Encoding(unittest.TestCase):
    def test_snappy_blocks_decode_with_cramjam(self):
        for size in (0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200000):
            data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
            self.assertEqual(bytes(cramjam.snappy.decompress_raw(snappy_literal(data))), data)


class RealReceivers(unittest.TestCase):
    """Values, timestamps and staleness seen through each receiver's query API, and a backlog
    written while the receiver was down, sent when it came back."""

    def scenario(self, start):
        port = free_port()
        rx = start(port, None)
        storage = rx.storage
        try:
            r = pe.CollectorRegistry()
            g = pe.Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=r)
            c = pe.Counter('wakeups', 'Wake-ups.', registry=r)
            w = RemoteWriter(rx.url + '/api/v1/write', r,
                             labels={'job': 'garden', 'instance': 'pico-1'}, timeout=5)
            t0 = int(time.time()) - 300
            g.labels('south').set(0.9)
            expect = []
            for i in range(3):
                g.labels('north').set(0.25 * i)
                c.inc()
                w.snapshot(t0 + 10 * i)
                expect.append((t0 + 10 * i, 0.25 * i))
            self.assertEqual(w.flush(), 3 * 6)  # soil x2, wakeups x2, the sent counter x2
            rx.stop()  # the receiver goes away; the board keeps sampling
            g.remove('south')  # and one bed's sensor is taken out
            for i in range(3, 6):
                g.labels('north').set(0.25 * i)
                w.snapshot(t0 + 10 * i)
                expect.append((t0 + 10 * i, 0.25 * i))
                self.assertEqual(w.flush(force=True), 0)
            self.assertEqual(w.pending, 3)
            rx = start(port, storage)
            self.assertEqual(w.flush(force=True), 3 * 5 + 1)  # and south's staleness marker
            self.assertEqual(w.pending, 0)

            def samples():
                res = rx.query('soil_moisture_ratio{bed="north"}[15m]', at=t0 + 100)
                return res if res and len(res[0]['values']) == 6 else None
            res = wait_for(samples, timeout=20)
            self.assertEqual(res[0]['metric'], {'__name__': 'soil_moisture_ratio',
                                                'bed': 'north', 'job': 'garden',
                                                'instance': 'pico-1'})
            self.assertEqual([(int(float(t)), float(v)) for t, v in res[0]['values']], expect)
            wake = rx.query('wakeups_total[15m]', at=t0 + 100)[0]['values']
            self.assertEqual([float(v) for t, v in wake], [1.0, 2.0, 3.0, 3.0, 3.0, 3.0])
            # south: there until its staleness marker at t0+30, gone after it (without the
            # marker the last value would show for 5 more minutes)
            south = 'soil_moisture_ratio{bed="south"}'
            self.assertEqual(float(rx.query(south, at=t0 + 25)[0]['value'][1]), 0.9)
            self.assertEqual(rx.query(south, at=t0 + 35), [])
            self.assertEqual(rx.query(south, at=t0 + 100), [])
            return rx, t0
        finally:
            rx.stop()

    def test_prometheus(self):
        self.scenario(lambda port, storage: Prometheus(port=port, storage=storage))

    def test_a_torn_record_in_the_file_buffer_costs_only_itself(self):
        """A power cut zeroed the newest record's bytes (its header made it to the flash):
        Prometheus gets every intact sample in one batch (it used to answer 400 'illegal
        tag 0' and the whole batch was dropped as rejected), the torn one is counted."""
        import tempfile
        rx = Prometheus()
        folder = tempfile.mkdtemp()
        try:
            path = os.path.join(folder, 'backlog.buf')
            r = pe.CollectorRegistry()
            g = pe.Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=r)
            w = RemoteWriter(rx.url + '/api/v1/write', r, labels={'job': 'garden'},
                             path=path, timeout=5)
            t0 = int(time.time()) - 300
            for i in range(8):
                g.labels('north').set(i)
                w.snapshot(t0 + 10 * i)
            with open(path, 'r+b') as f:  # the newest record's payload and crc: zeroed
                end = f.seek(0, 2)
                f.seek(end - 40)
                f.write(bytes(40))
            r = pe.CollectorRegistry()  # the board starts again
            g = pe.Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=r)
            w = RemoteWriter(rx.url + '/api/v1/write', r, labels={'job': 'garden'},
                             path=path, timeout=5)
            self.assertEqual(w.pending, 8)
            self.assertEqual(w.flush(), 7 * 3)  # soil and the writer's two counters a time
            self.assertEqual(r.get_sample_value('remote_write_dropped_samples_total',
                                                {'reason': 'corrupt'}), 3)
            self.assertIsNone(r.get_sample_value('remote_write_dropped_samples_total',
                                                 {'reason': 'rejected'}))

            def samples():
                res = rx.query('soil_moisture_ratio[15m]', at=t0 + 100)
                return res if res and len(res[0]['values']) == 7 else None
            res = wait_for(samples, timeout=20)
            self.assertEqual([(int(float(t)), float(v)) for t, v in res[0]['values']],
                             [(t0 + 10 * i, float(i)) for i in range(7)])
        finally:
            rx.stop()
            shutil.rmtree(folder)

    def test_victoria_metrics(self):
        rx, t0 = self.scenario(lambda port, storage: VictoriaMetrics(port=port,
                                                                     storage=storage))
        # its raw samples: exact timestamps and values, and the marker (exported as null)
        rx = VictoriaMetrics(storage=rx.storage)
        try:
            (labels, raw), = rx.export('soil_moisture_ratio{bed="south"}')
            self.assertEqual(raw, [((t0 + 10 * i) * 1000, 0.9) for i in range(3)]
                             + [((t0 + 30) * 1000, None)])
        finally:
            rx.stop()
