"""Remote write to a real Prometheus (--web.enable-remote-write-receiver) on 127.0.0.1, and the
encoding checked with independent decoders (the protobuf and cramjam packages)."""
import math
import time
import unittest

import cramjam
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import prometheus_express as pe
from prometheus_express.remote_write import (RemoteWriter, encode_write_request,
                                             snappy_literal)

from services import Prometheus, free_port, wait_for


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


class Encoding(unittest.TestCase):
    def test_protobuf_and_snappy_decode_independently(self):
        series = [([('__name__', 'a'), ('job', 'ü☃' * 50)],
                   [(1.5, 1700000000000), (-2.0, 1700000001000), (math.inf, 0)]),
                  ([('__name__', 'b')], [(float('nan'), 5), (1e-300, -1)])]
        raw = bytes(encode_write_request(series))
        for size in (0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200000):
            data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
            self.assertEqual(bytes(cramjam.snappy.decompress_raw(bytes(snappy_literal(data)))),
                             data)
        wr = WriteRequest()
        wr.ParseFromString(bytes(cramjam.snappy.decompress_raw(bytes(snappy_literal(raw)))))
        self.assertEqual(len(wr.timeseries), 2)
        a, b = wr.timeseries
        self.assertEqual([(l.name, l.value) for l in a.labels], series[0][0])
        self.assertEqual([(s.value, s.timestamp) for s in a.samples], series[0][1])
        self.assertTrue(math.isnan(b.samples[0].value))
        self.assertEqual((b.samples[1].value, b.samples[1].timestamp), (1e-300, -1))


class RealReceiver(unittest.TestCase):
    def test_series_values_timestamps_and_backlog_across_a_restart(self):
        port = free_port()
        prom = Prometheus(port=port)
        storage = prom.storage
        try:
            r = pe.CollectorRegistry()
            g = pe.Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=r)
            c = pe.Counter('wakeups', 'Wake-ups.', registry=r)
            w = RemoteWriter(prom.url + '/api/v1/write', r,
                             labels={'job': 'garden', 'instance': 'pico-1'}, timeout=5)
            t0 = int(time.time()) - 300
            expect = []
            for i in range(3):
                g.labels('north').set(0.25 * i)
                c.inc()
                w.snapshot(t0 + 10 * i)
                expect.append((t0 + 10 * i, 0.25 * i))
            # 3 snapshots x 5 samples (soil; wakeups _total, _created; the writer's sent _total, _created)
            self.assertEqual(w.flush(), 15)

            prom.stop()  # the receiver goes away; the board keeps sampling
            for i in range(3, 6):
                g.labels('north').set(0.25 * i)
                w.snapshot(t0 + 10 * i)
                expect.append((t0 + 10 * i, 0.25 * i))
                self.assertEqual(w.flush(force=True), 0)
            self.assertEqual(len(w.pending), 3)

            prom = Prometheus(port=port, storage=storage)
            sent = w.flush(force=True)
            self.assertEqual(sent, 15)
            self.assertEqual(w.pending, [])

            def samples():
                res = prom.query('soil_moisture_ratio{bed="north"}[15m]', at=t0 + 100)
                return res if res and len(res[0]['values']) == 6 else None
            res = wait_for(samples, timeout=20)
            self.assertEqual(res[0]['metric'], {'__name__': 'soil_moisture_ratio',
                                                'bed': 'north', 'job': 'garden',
                                                'instance': 'pico-1'})
            self.assertEqual([(int(float(t)), float(v)) for t, v in res[0]['values']], expect)
            wake = prom.query('wakeups_total[15m]', at=t0 + 100)[0]['values']
            self.assertEqual([float(v) for t, v in wake], [1.0, 2.0, 3.0, 3.0, 3.0, 3.0])
        finally:
            prom.stop()


if __name__ == '__main__':
    unittest.main()
