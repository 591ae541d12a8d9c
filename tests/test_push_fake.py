# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""Pushgateway and remote-write clients over an in-memory network: the bytes they send, and
what they do with refusals, timeouts mid-body, 500, 429 and 400 answers."""
import errno
import struct
import unittest

from fakenet import FakeNet, FakeSock, answer, parse_request
from prometheus_express import CollectorRegistry, Counter, Gauge, push
from prometheus_express.push import (PushError, delete_from_gateway, push_to_gateway,
                                     pushadd_to_gateway)
from prometheus_express.remote_write import ClockNotSetError, RemoteWriter

REFUSED = getattr(errno, 'ECONNREFUSED', 111)
NOW = 1790000000  # an int, as time.time() is on boards (a float32 could not step by 10 s)


# -- an independent reader of what remote write sends (checked against the protobuf and
#    cramjam packages in test_remote_write.py) -------------------------------------------
def _uvarint(b, i):
    n = shift = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7f) << shift
        shift += 7
        if c < 0x80:
            return n, i


def unsnappy(b):
    n, i = _uvarint(b, 0)
    out = bytearray()
    while i < len(b):
        tag = b[i]
        i += 1
        assert tag & 3 == 0, 'only literals expected'
        k = tag >> 2
        if k >= 60:
            extra = k - 59
            k = 0
            for j in range(extra):
                k |= b[i + j] << (8 * j)
            i += extra
        k += 1
        out.extend(b[i:i + k])
        i += k
    assert len(out) == n
    return bytes(out)


def fields(b):
    i = 0
    while i < len(b):
        key, i = _uvarint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 2:
            n, i = _uvarint(b, i)
            yield num, b[i:i + n]
            i += n
        elif wt == 1:
            yield num, b[i:i + 8]
            i += 8
        elif wt == 0:
            v, i = _uvarint(b, i)
            yield num, v
        else:
            raise ValueError('wire type %d' % wt)


def decode(body):
    """{labels tuple: [(value, ts)]} from a snappy WriteRequest."""
    out = {}
    for num, ts in fields(unsnappy(body)):
        assert num == 1
        labels = []
        samples = []
        for n2, v in fields(ts):
            if n2 == 1:
                d = dict((k, bytes(x).decode()) for k, x in fields(v))
                labels.append((d[1], d[2]))
            else:
                s = dict(fields(v))
                samples.append((struct.unpack('<d', bytes(s[1]))[0], s.get(2, 0)))
        out[tuple(labels)] = samples
    return out


class Push(unittest.TestCase):
    def setUp(self):
        self.r = CollectorRegistry()
        g = Gauge('room_temperature_celsius', 'Room temperature.', ['sensor'], registry=self.r)
        g.labels('si7021').set(21.25)

    def tearDown(self):
        push.NET = None

    def net(self, *answers):
        push.NET = FakeNet(answers)
        return push.NET

    def test_push_url_method_and_streamed_body(self):
        net = self.net(answer(200))
        push_to_gateway('gateway:9091', 'board', self.r,
                        {'room': 'living room', 'instance': 'a/b', 'e': '', 'zone': 'k+ü'})
        host, port, sock = net.connected[0]
        self.assertEqual((host, port), ('gateway', 9091))
        line, headers, body = parse_request(sock.out)
        self.assertEqual(line, 'PUT /metrics/job/board/e@base64/=/instance@base64/YS9i/'
                               'room@base64/bGl2aW5nIHJvb20=/zone/k%2B%C3%BC HTTP/1.1')
        self.assertEqual(headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
        self.assertTrue(b'room_temperature_celsius{sensor="si7021"} 21.25\n' in body)
        self.assertEqual(headers['host'], 'gateway:9091')

    def test_pushadd_and_delete(self):
        net = self.net(answer(202), answer(202))
        pushadd_to_gateway('http://gw:9091/', 'j', self.r)
        delete_from_gateway('gw:9091', 'j', {'instance': 'x'})
        self.assertTrue(parse_request(net.connected[0][2].out)[0].startswith(
            'POST /metrics/job/j '))
        line, headers, body = parse_request(net.connected[1][2].out)
        self.assertEqual(line, 'DELETE /metrics/job/j/instance/x HTTP/1.1')
        self.assertEqual(body, b'')

    def test_basic_auth_handler(self):
        from prometheus_express.push import basic_auth_handler
        net = self.net(answer(200))

        def handler(url, method, timeout, headers, data):
            return basic_auth_handler(url, method, timeout, headers, data, 'board', 's3cret')
        push_to_gateway('gw:9091', 'j', self.r, handler=handler)
        line, headers, body = parse_request(net.connected[0][2].out)
        self.assertEqual(headers['authorization'], 'Basic Ym9hcmQ6czNjcmV0')
        self.assertTrue(b'si7021' in body)

    def test_errors(self):
        self.net(answer(400, b'pushed metrics are invalid or inconsistent', 'Bad Request'),
                 REFUSED, FakeSock(answer(200), send_fail_after=150))
        try:
            push_to_gateway('gw:9091', 'j', self.r)
        except PushError as e:
            self.assertEqual(e.status, 400)
            self.assertTrue('invalid or inconsistent' in str(e))
        else:
            self.fail('no PushError')
        self.assertRaises(OSError, push_to_gateway, 'gw:9091', 'j', self.r)   # refused
        self.assertRaises(OSError, push_to_gateway, 'gw:9091', 'j', self.r)   # timeout mid-body


class RemoteWrite(unittest.TestCase):
    def setUp(self):
        self.r = CollectorRegistry()
        self.g = Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=self.r)
        self.c = Counter('wakeups', 'Wake-ups.', registry=self.r)
        self.t = [NOW]

    def writer(self, *answers, **kw):
        self.net = FakeNet(answers)
        return RemoteWriter('http://receiver:9090/api/v1/write', self.r,
                            labels={'job': 'garden', 'instance': 'pico-1'}, net=self.net,
                            clock=lambda: self.t[0], **kw)

    def bodies(self):
        out = []
        for host, port, sock in self.net.connected:
            line, headers, body = parse_request(sock.out)
            out.append((line, headers, decode(body)))
        return out

    def test_write_encodes_every_sample(self):
        w = self.writer(answer(204))
        self.g.labels('north').set(0.42)
        self.c.inc(3)
        # soil 1, wakeups _total and _created, the writer's own sent counter _total, _created
        self.assertEqual(w.write(), 5)
        line, headers, series = self.bodies()[0]
        self.assertEqual(line, 'POST /api/v1/write HTTP/1.1')
        self.assertEqual(headers['content-encoding'], 'snappy')
        self.assertEqual(headers['content-type'], 'application/x-protobuf')
        self.assertEqual(headers['x-prometheus-remote-write-version'], '0.1.0')
        key = (('__name__', 'soil_moisture_ratio'), ('bed', 'north'), ('instance', 'pico-1'),
               ('job', 'garden'))
        self.assertEqual(series[key], [(0.42, int(NOW * 1000))])
        total = (('__name__', 'wakeups_total'), ('instance', 'pico-1'), ('job', 'garden'))
        self.assertEqual(series[total], [(3.0, int(NOW * 1000))])
        for labels in series:
            self.assertEqual(list(labels), sorted(labels))

    def test_backlog_survives_refusal_500_429_and_goes_oldest_first(self):
        w = self.writer(REFUSED, answer(500), answer(429), answer(200))
        self.g.labels('north').set(1)
        for i in range(3):
            self.t[0] = NOW + i * 60
            self.g.labels('north').set(i)
            w.snapshot()
            self.assertEqual(w.flush(force=True), 0)
        self.assertEqual(len(w.pending), 3)
        self.assertTrue(w.flush(force=True) > 0)
        self.assertEqual(w.pending, [])
        series = self.bodies()[-1][2]
        key = (('__name__', 'soil_moisture_ratio'), ('bed', 'north'), ('instance', 'pico-1'),
               ('job', 'garden'))
        self.assertEqual(series[key], [(0.0, int(NOW * 1000)), (1.0, int((NOW + 60) * 1000)),
                                       (2.0, int((NOW + 120) * 1000))])

    def test_400_drops_that_batch_and_counts_it(self):
        w = self.writer(answer(400, b'out of bounds'), answer(200))
        self.g.labels('north').set(1)
        n = w.snapshot()
        w.flush(force=True)
        self.assertEqual(w.pending, [])
        self.assertEqual(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                 {'reason': 'rejected'}), n)
        w.write()
        self.assertEqual(len(self.net.connected), 2)

    def test_full_buffer_drops_oldest_and_counts(self):
        w = self.writer(max_samples=10)
        self.g.labels('a').set(1)
        per = w.snapshot()
        for i in range(5):
            self.t[0] += 10
            w.snapshot()
        self.assertTrue(w.held <= 10 + per)
        first_ts = w.pending[0][0]
        self.assertTrue(first_ts > int(NOW * 1000))
        dropped = self.r.get_sample_value('remote_write_dropped_samples_total',
                                          {'reason': 'buffer_full'})
        self.assertTrue(dropped >= per)

    def test_unset_clock_is_a_clear_error(self):
        w = self.writer()
        self.t[0] = 3600.0  # what a board fresh from reset says
        self.assertRaises(ClockNotSetError, w.snapshot)
        self.assertEqual(w.pending, [])


if __name__ == '__main__':
    unittest.main()
