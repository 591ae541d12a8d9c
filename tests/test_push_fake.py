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


STALE_BITS = b'\x02\x00\x00\x00\x00\x00\xf0\x7f'  # the spec's StaleNaN, 0x7ff0000000000002


def decode(body):
    """{labels tuple: [(value, ts)]} from a snappy WriteRequest, a series' samples in the
    order sent; a staleness marker's value is 'stale'."""
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
                raw = bytes(s[1])
                samples.append(('stale' if raw == STALE_BITS else struct.unpack('<d', raw)[0],
                                s.get(2, 0)))
        out.setdefault(tuple(labels), []).extend(samples)
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

    def test_push_after_100_continue(self):
        self.net(b'HTTP/1.1 100 Continue\r\n\r\n' + answer(200))
        push_to_gateway('gateway:9091', 'board', self.r)  # no PushError with status 100

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
        if 'labels' not in kw:
            kw['labels'] = {'job': 'garden', 'instance': 'pico-1'}
        return RemoteWriter('http://receiver:9090/api/v1/write', self.r, net=self.net,
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

    def test_names_as_the_page_writes_them(self):
        """A UTF-8 name (taken, as upstream takes it) goes out as the page writes it by
        default (underscores): one series, whichever way it leaves the board."""
        g = Gauge('soil.moisture', 'Soil moisture.', ['bed.name'], registry=self.r)
        g.labels('north').set(0.5)
        from prometheus_express import generate_latest
        self.assertIn(b'soil_moisture{bed_name="north"} 0.5', generate_latest(self.r))
        w = self.writer(answer(204))
        w.write()
        series = self.bodies()[0][2]
        key = (('__name__', 'soil_moisture'), ('bed_name', 'north'), ('instance', 'pico-1'),
               ('job', 'garden'))
        self.assertEqual(series[key], [(0.5, int(NOW * 1000))])

    def test_100_continue_is_not_the_answer(self):
        """RFC 9110 15.2: a 1xx comes before the final answer (it was taken as the answer:
        an accepted batch counted as rejected)."""
        w = self.writer(b'HTTP/1.1 100 Continue\r\n\r\n' + answer(204))
        self.g.labels('north').set(1)
        self.assertEqual(w.write(), 5)
        self.assertEqual(w.pending, 0)
        self.assertIsNone(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                  {'reason': 'rejected'}))

    def test_307_and_308_are_followed_with_the_body(self):
        moved = (b'HTTP/1.1 307 Temporary Redirect\r\nLocation: http://other:9091/rw\r\n'
                 b'Content-Length: 0\r\n\r\n')
        again = (b'HTTP/1.1 308 Permanent Redirect\r\nLocation: /api/v2/write\r\n'
                 b'Content-Length: 0\r\n\r\n')
        w = self.writer(moved, again, answer(204))
        self.g.labels('north').set(1)
        self.assertEqual(w.write(), 5)
        self.assertEqual(w.pending, 0)
        (h1, p1, s1), (h2, p2, s2), (h3, p3, s3) = self.net.connected
        self.assertEqual([(h1, p1), (h2, p2), (h3, p3)],
                         [('receiver', 9090), ('other', 9091), ('other', 9091)])
        first, second, third = [parse_request(s.out) for s in (s1, s2, s3)]
        self.assertEqual(third[0], 'POST /api/v2/write HTTP/1.1')
        self.assertEqual(first[2], third[2])  # the same body, whole, each time
        self.assertEqual(decode(first[2]), decode(third[2]))

    def test_redirects_are_not_followed_forever(self):
        loop = (b'HTTP/1.1 307 Temporary Redirect\r\nLocation: /api/v1/write\r\n'
                b'Content-Length: 0\r\n\r\n')
        w = self.writer(*[loop] * 7)
        self.g.labels('north').set(1)
        w.write()
        self.assertEqual(len(self.net.connected), 6)  # the first and 5 redirects
        self.assertEqual(w.pending, 1)  # kept for a retry

    def test_an_answer_head_that_never_ends_is_not_buffered_without_bound(self):
        from prometheus_express.http_client import MAX_HEAD, request

        class Endless(FakeSock):
            given = 0

            def recv(self, n):
                self.given += n
                return b'x' * n
        sock = Endless(b'')
        self.net = FakeNet([sock])
        with self.assertRaises(OSError) as e:
            request('http://gw:9091/x', 'POST', (), b'', 5, self.net)
        self.assertIn('head too long', str(e.exception))
        self.assertTrue(sock.given < MAX_HEAD + 8192, sock.given)

    def test_timeout_is_for_the_whole_request(self):
        """A receiver that drips its answer a byte at a time: each read is quick, the
        request is not (timeout was per read before: it held the sensor loop for ever)."""
        import time
        from prometheus_express.http_client import request

        class Drip(FakeSock):
            def recv(self, n):
                time.sleep(0.05)
                return FakeSock.recv(self, 1)
        self.net = FakeNet([Drip(answer(200, b'x' * 1000))])
        t0 = time.time()
        with self.assertRaises(OSError):
            request('http://gw:9091/x', 'POST', (), b'', 1, self.net)
        self.assertTrue(time.time() - t0 < 3)

    def test_backlog_survives_refusal_500_429_and_goes_oldest_first(self):
        w = self.writer(REFUSED, answer(500), answer(429), answer(200))
        self.g.labels('north').set(1)
        for i in range(3):
            self.t[0] = NOW + i * 60
            self.g.labels('north').set(i)
            w.snapshot()
            self.assertEqual(w.flush(force=True), 0)
        self.assertEqual(w.pending, 3)
        self.assertTrue(w.flush(force=True) > 0)
        self.assertEqual(w.pending, 0)
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
        self.assertEqual(w.pending, 0)
        self.assertEqual(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                 {'reason': 'rejected'}), n)
        self.t[0] += 10
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
        first_ts = struct.unpack('<q', bytes(w.buffer.snaps[0][1][:8]))[0]
        self.assertTrue(first_ts > int(NOW * 1000))
        dropped = self.r.get_sample_value('remote_write_dropped_samples_total',
                                          {'reason': 'buffer_full'})
        self.assertTrue(dropped >= per)

    def test_unset_clock_is_a_clear_error(self):
        w = self.writer()
        self.t[0] = 3600.0  # what a board fresh from reset says
        self.assertRaises(ClockNotSetError, w.snapshot)
        self.assertEqual(w.pending, 0)

    def key(self, name, **labels):
        labels.update(__name__=name, job='garden', instance='pico-1')
        return tuple(sorted(labels.items()))

    def test_a_series_that_goes_gets_one_staleness_marker(self):
        w = self.writer(answer(204))
        self.g.labels('north').set(1)
        self.g.labels('south').set(2)
        w.snapshot()
        self.g.remove('south')
        self.t[0] += 10
        w.snapshot()
        self.t[0] += 10
        w.snapshot()
        self.g.labels('south').set(5)  # back again: plain samples
        self.t[0] += 10
        w.snapshot()
        w.flush()
        series = self.bodies()[0][2]
        ms = int(NOW * 1000)
        self.assertEqual(series[self.key('soil_moisture_ratio', bed='south')],
                         [(2.0, ms), ('stale', ms + 10000), (5.0, ms + 30000)])
        self.assertEqual(series[self.key('soil_moisture_ratio', bed='north')],
                         [(1.0, ms), (1.0, ms + 10000), (1.0, ms + 20000), (1.0, ms + 30000)])
        # an unregistered collector: each of its series once
        self.r.unregister(self.c)
        self.t[0] += 10
        w.snapshot()
        self.t[0] += 10
        w.snapshot()
        self.net.answers.append(answer(204))
        w.flush()
        series = self.bodies()[1][2]
        self.assertEqual(series[self.key('wakeups_total')], [('stale', ms + 40000)])
        self.assertEqual(series[self.key('wakeups_created')], [('stale', ms + 40000)])

    def test_empty_label_values_are_left_out_and_labels_sorted_and_unique(self):
        g = Gauge('door_open', 'Door.', ['room', 'job', 'a'], registry=self.r)
        g.labels('', 'door-sensor', 'x').set(1)
        w = self.writer(answer(204), labels={'job': 'garden', 'instance': 'pico-1', 'zone': ''})
        w.write()
        series = self.bodies()[0][2]
        self.assertEqual(series[(('__name__', 'door_open'), ('a', 'x'), ('instance', 'pico-1'),
                                 ('job', 'door-sensor'))], [(1.0, int(NOW * 1000))])
        for labels in series:
            names = [k for k, v in labels]
            self.assertEqual(names, sorted(set(names)))
            self.assertTrue('__name__' in names)
            self.assertTrue(all(v != '' for k, v in labels))

    def test_integers_are_sent_exactly_as_cpython_float_rounds_them(self):
        from prometheus_express.remote_encode import double
        # struct.pack('<d', float(n)).hex() under CPython
        for n, hexed in ((16777217, '0000001000007041'), (2147483647, '0000c0ffffffdf41'),
                         (9007199254740991, 'ffffffffffff3f43'),
                         (9007199254740993, '0000000000004043'),
                         (9007199254740995, '0200000000004043'),
                         (100000000000000000000, '408cb5781daf1544'),
                         (-1099511627783, '00700000000070c2'),
                         (18446744073709553665, '010000000000f043'), (3, '0000000000000840')):
            self.assertEqual(''.join('%02x' % b for b in double(n)), hexed)

    def test_writer_labels_checked_at_the_call(self):
        self.assertRaises(ValueError, self.writer, labels={'__name__': 'x'})
        self.assertRaises(ValueError, self.writer, labels={'': 'x'})
        self.assertRaises(ValueError, RemoteWriter, 'ftp://receiver/api/v1/write', self.r)
        w = self.writer(answer(204), labels={'job': 'garden', 'rack': 7})
        self.g.labels('north').set(1)
        w.write()
        series = self.bodies()[0][2]
        self.assertIn((('__name__', 'soil_moisture_ratio'), ('bed', 'north'), ('job', 'garden'),
                       ('rack', '7')), series)

    def test_samples_go_in_time_order(self):
        w = self.writer()
        self.g.labels('north').set(1)
        w.snapshot(NOW + 10)
        self.assertRaises(ValueError, w.snapshot, NOW + 10)
        self.assertRaises(ValueError, w.snapshot, NOW + 5)
        self.t[0] = NOW  # the wall clock stepped back: that snapshot is skipped and counted
        self.assertEqual(w.snapshot(), 0)
        self.assertEqual(w.pending, 1)
        self.assertTrue(self.r.get_sample_value('remote_write_dropped_samples_total',
                                                {'reason': 'out_of_order'}) > 0)


def scratch(name):
    """A path for a scratch file, removed first (CPython: the temp folder; the board
    interpreters: /tmp; the WebAssembly port: its in-memory file system)."""
    import os
    try:
        import tempfile
        folder = tempfile.gettempdir()
    except ImportError:
        folder = '/tmp'
        try:
            os.stat(folder)
        except OSError:
            folder = '/t'
    path = folder + '/promexp-%s' % name
    for p in (path, path + '.tmp'):
        try:
            os.remove(p)
        except OSError:
            pass
    return path


class RemoteWriteFileBuffer(unittest.TestCase):
    """RemoteWriter(path=...): the buffer in a file, which a reset does not lose."""

    def setUp(self):
        self.r = CollectorRegistry()
        self.g = Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=self.r)
        self.path = scratch('rw-%d' % id(self))
        self.t = [NOW]

    def tearDown(self):
        import os
        for p in (self.path, self.path + '.tmp'):
            try:
                os.remove(p)
            except OSError:
                pass

    def writer(self, *answers, **kw):
        self.net = FakeNet(answers)
        return RemoteWriter('http://receiver:9090/api/v1/write', self.r, net=self.net,
                            labels={'job': 'garden'}, path=self.path,
                            clock=lambda: self.t[0], **kw)

    def offline(self, w, n):
        for i in range(n):
            self.g.labels('north').set(i)
            self.t[0] += 10
            w.snapshot()

    def key(self):
        return (('__name__', 'soil_moisture_ratio'), ('bed', 'north'), ('job', 'garden'))

    def test_a_reset_loses_nothing_taken(self):
        w = self.writer()
        self.offline(w, 5)
        held = w.held
        del w  # the board resets
        w = self.writer(answer(204))
        self.assertEqual((w.pending, w.held), (5, held))
        self.assertEqual(w.flush(), held)
        line, headers, body = parse_request(self.net.connected[0][2].out)
        series = decode(body)
        self.assertEqual(series[self.key()], [(float(i), (NOW + 10 * (i + 1)) * 1000)
                                              for i in range(5)])
        self.assertEqual((w.pending, w.held), (0, 0))
        del w  # and after another reset, what was sent stays sent
        self.assertEqual(self.writer().pending, 0)

    def test_a_record_cut_short_by_a_reset_is_dropped(self):
        w = self.writer()
        self.offline(w, 3)
        with open(self.path, 'ab') as f:
            f.write(b'PX\x01\x00\x00\x00\x00\x02\x00\x00\x00\x0a\x10')  # half a record
        w = self.writer(answer(204))
        self.assertEqual(w.pending, 3)
        w.flush()
        series = decode(parse_request(self.net.connected[0][2].out)[2])
        self.assertEqual(len(series[self.key()]), 3)

    def test_bounded_in_bytes_oldest_dropped_and_counted(self):
        import os
        w = self.writer(max_bytes=2000)
        taken = 0
        for i in range(40):
            self.g.labels('north').set(i)
            self.t[0] += 10
            taken += w.snapshot()
            self.assertTrue(os.stat(self.path)[6] <= 2000)
        dropped = self.r.get_sample_value('remote_write_dropped_samples_total',
                                          {'reason': 'buffer_full'})
        self.assertEqual(dropped + w.held, taken)
        self.assertTrue(w.held > 0)
        self.net.answers.append(answer(204))
        w.flush()
        values = [v for v, t in decode(parse_request(self.net.connected[0][2].out)[2])[
            self.key()]]
        self.assertEqual(values[-1], 39.0)  # the newest are kept, in order
        self.assertEqual(values, sorted(values))

    def test_sent_in_batches_and_the_rest_kept(self):
        w = self.writer(answer(204), answer(500), max_batch=4)
        self.offline(w, 6)  # 3 samples a snapshot: soil, the sent counter's _total, _created
        self.assertEqual(w.flush(), 3)  # one snapshot a request; the second gets a 500
        self.assertEqual(w.pending, 5)
        w = self.writer(*[answer(204)] * 5, max_batch=4)  # after a reset, the rest is still there
        self.assertEqual((w.pending, w.held), (5, 15))
        self.assertEqual(w.flush(), 15)
        self.assertEqual(len(self.net.connected), 5)
        ts = [decode(parse_request(sock.out)[2])[self.key()][0][1]
              for h, p, sock in self.net.connected]
        self.assertEqual(ts, [(NOW + 10 * i) * 1000 for i in range(2, 7)])


if __name__ == '__main__':
    unittest.main()
