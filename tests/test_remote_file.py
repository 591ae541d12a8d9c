# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs, the board interpreters)
"""RemoteWriter(path=...) when the flash fails and the power goes: faults injected at every
byte offset of the writes (EIO, ENOSPC, a reset, a reset that zeroes the newest record's
bytes), a reset between any two operations, a volume that fills up. After each run the
backlog is sent to a receiver that takes everything, and the books must balance: every
sample the writer accepted was delivered or counted in remote_write_dropped_samples_total
(exactly, when no reset came in between), nothing was delivered that was not taken, and
nothing twice unless a reset came between a send and its acknowledgement.

On micropython-board the same runs go to a real VfsFat volume on a RAM block device (see
FatVolume), which also fills up for real."""
import errno
import struct
import unittest

from fakenet import FakeSock, answer, parse_request
from test_push_fake import NOW, decode, scratch
from prometheus_express import CollectorRegistry, Gauge
import prometheus_express.remote_file as remote_file
from prometheus_express.remote_write import RemoteWriter

EIO = getattr(errno, 'EIO', 5)
ENOSPC = getattr(errno, 'ENOSPC', 28)
REASONS = ('buffer_full', 'corrupt', 'rejected', 'out_of_order')
_open = open
CPYTHON = __import__('sys').implementation.name == 'cpython'


class Reset(BaseException):
    """The power went."""


class Faults:
    """Every file remote_file opens goes through here. at: the byte (counted over the whole
    run) at which a write stops, with `mode`: 'eio' or 'enospc' (an OSError), 'reset' (the
    power goes), 'torn' (the power goes, and the newest record's payload never reached the
    flash: zeroed). quota: the most bytes a file may hold (ENOSPC past it)."""

    def __init__(self, at=None, mode=None, quota=None):
        self.at = at
        self.mode = mode
        self.quota = quota
        self.written = 0
        self.fired = False
        self.last = [[], []]  # (pos, length) of the writes of the last two records

    def open(self, path, mode='rb'):
        return _File(self, _open(path, mode), path)


class _File:
    def __init__(self, faults, f, path):
        self.x = faults
        self.f = f
        self.path = path

    def seek(self, pos, whence=0):
        return self.f.seek(pos, whence)

    def tell(self):
        return self.f.tell()

    def read(self, n=-1):
        return self.f.read(n)

    def readinto(self, b):
        return self.f.readinto(b)

    def flush(self):
        self.f.flush()

    def close(self):
        self.f.close()

    def write(self, data):
        x = self.x
        data = bytes(data)
        pos = self.f.tell()
        k = len(data)
        err = None
        if x.quota is not None and pos + k > x.quota:
            k = max(0, x.quota - pos)
            err = OSError(ENOSPC)
        if not x.fired and x.at is not None and x.written + k > x.at:
            k = x.at - x.written
            x.fired = True
            err = OSError(EIO) if x.mode == 'eio' else OSError(ENOSPC) \
                if x.mode == 'enospc' else Reset()
        head = len(data) == remote_file.HDR  # a record begins
        if head:
            x.last = [x.last[1], []]
        self.f.write(data[:k])
        self.f.flush()
        if not head:
            x.last[1].append((pos, k))
        x.written += k
        if err is not None:
            if isinstance(err, Reset) and x.mode == 'torn':  # the payloads never got there
                for p, n in x.last[0] + x.last[1]:
                    self.f.seek(p)
                    self.f.write(bytes(n))
                self.f.flush()
            raise err
        return k


class Receiver:
    """A remote-write receiver on an in-memory network: `status` answers each request
    (None: unreachable); what it took with a 2xx is in .got {ts: [labels, ...]}."""

    def __init__(self):
        self.status = 204
        self.socks = []
        self.got = {}

    def connect(self, host, port, timeout):
        if self.status is None:
            raise OSError(getattr(errno, 'ECONNREFUSED', 111))
        s = FakeSock(answer(self.status))
        s.peer_closed = True
        s.ok = self.status < 300
        self.socks.append(s)
        return s

    def take(self):
        for s in self.socks:
            if s.ok:
                for labels, samples in decode(parse_request(s.out)[2]).items():
                    for value, ts in samples:
                        self.got.setdefault(ts, []).append(labels)
        self.socks = []


class Run:
    """One writer's life after another on one file, with the books kept across them."""

    def __init__(self, path, faults, max_bytes=2500):
        self.path = path
        self.faults = faults
        self.max_bytes = max_bytes
        self.rx = Receiver()
        self.t = NOW
        self.accepted = {}  # ts: samples the writer said it kept
        self.counted = 0    # remote_write_dropped_samples_total over the lives
        self.failed = 0     # snapshots the writer could not keep
        self.resets = 0
        self.i = 0
        remote_file.open = faults.open
        self.boot()

    def boot(self):
        self.r = CollectorRegistry()
        self.g = Gauge('soil_moisture_ratio', 'Soil moisture.', ['bed'], registry=self.r)
        self.w = RemoteWriter('http://receiver:9090/api/v1/write', self.r, net=self.rx,
                              labels={'job': 'garden'}, path=self.path,
                              max_bytes=self.max_bytes, max_batch=12,
                              clock=lambda: self.t)

    def dropped(self, reason):
        return self.r.get_sample_value('remote_write_dropped_samples_total',
                                       {'reason': reason}) or 0

    def reset(self):
        """The power goes: what this life counted is kept by the books, then a new life."""
        self.counted += sum([self.dropped(r) for r in REASONS])
        self.resets += 1
        self.rx.take()
        self.boot()

    def step(self, op):
        try:
            if op == 'snap':
                self.i += 1
                self.g.labels('north').set(self.i)
                if self.i % 3 == 0:
                    self.g.labels('south').set(self.i)
                self.t += 10
                before = self.dropped('write_failed') + self.dropped('buffer_full')
                n = self.w.snapshot()
                if n:
                    self.accepted[self.t * 1000] = n
                else:
                    self.failed += 1
                    assert self.dropped('write_failed') + self.dropped('buffer_full') > \
                        before, 'a lost snapshot uncounted'
            elif op == 'reset':
                self.reset()
            else:
                self.rx.status = op
                self.w.flush(force=True)
                self.rx.take()
        except Reset:
            self.reset()

    def finish(self):
        """Faults over: the receiver takes everything; then the books."""
        remote_file.open = _open
        self.faults.at = self.faults.quota = None
        self.reset()
        self.rx.status = 204
        self.w.flush(force=True)
        self.rx.take()
        self.counted += sum([self.dropped(r) for r in REASONS])
        got = self.rx.got
        for ts in got:
            assert ts in self.accepted or self.resets, 'delivered what was never taken: %r' % ts
        delivered = 0
        twice = 0
        for ts, n in self.accepted.items():
            labels = got.get(ts, [])
            unique = len(set(labels))
            assert unique <= n, (ts, labels, n)
            delivered += unique
            twice += len(labels) - unique
        taken = sum(self.accepted.values())
        if self.resets:
            assert delivered + self.counted >= taken, (delivered, self.counted, taken)
        else:
            assert twice == 0, 'sent twice without a reset'
            assert delivered + self.counted == taken, (delivered, self.counted, taken)
        return taken, delivered


# The operations of one run: snapshots with the receiver away, a rejected batch, a refused
# one, sends that work, resets between operations.
SCRIPT = (['snap'] * 6 + [None, 'snap', 500, 204] + ['snap'] * 5 + ['reset', 400] +
          ['snap'] * 4 + [204, 'snap', 'reset', 'snap', 'snap', None, 'snap', 204] +
          ['snap'] * 3)


# A shorter one for a fault at every byte: it writes about 3,000 bytes.
SHORT = ['snap'] * 3 + [None, 'snap', 204, 'snap', 'reset', 400, 'snap', 'snap', 204, 'snap']


class FileBufferFaults(unittest.TestCase):
    folder = None

    def setUp(self):
        self.path = scratch('rwfault') if self.folder is None else self.folder + '/rwfault'
        self.clean()

    def tearDown(self):
        remote_file.open = _open
        self.clean()

    def clean(self):
        import os
        try:
            os.remove(self.path)
        except OSError:
            pass

    def run_script(self, faults, script=SCRIPT, max_bytes=2500):
        self.clean()
        run = Run(self.path, faults, max_bytes)
        for op in script:
            run.step(op)
        return run, run.finish()

    def test_without_faults_every_sample_arrives_once(self):
        run, (taken, delivered) = self.run_script(Faults())
        self.assertTrue(taken > 50)
        self.assertEqual(run.failed, 0)
        # the ring is small: the oldest went, counted; a 400 drops its batch, counted
        self.assertTrue(run.counted > 0)
        self.assertTrue(delivered > taken // 3)

    def test_a_fault_at_every_byte_of_the_writes(self):
        clean = Faults()
        self.run_script(clean, SHORT, 1200)
        total = clean.written
        self.assertTrue(total > 2000, total)
        step = 1 if CPYTHON else 61  # MicroPython: every 61st byte (CPython: all of them)
        modes = ('eio', 'enospc', 'reset', 'torn')
        for at in range(0, total, step):
            for mode in modes:
                f = Faults(at, mode)
                try:
                    run, (taken, delivered) = self.run_script(f, SHORT, 1200)
                except Exception as e:
                    raise AssertionError('fault %s at byte %d: %s' % (mode, at, e))
                self.assertTrue(f.fired)
                self.assertTrue(run.failed <= 1, (mode, at, run.failed))

    def test_a_full_volume_shrinks_the_ring_and_snapshots_go_on(self):
        run, (taken, delivered) = self.run_script(Faults(quota=1200), max_bytes=4000)
        self.assertTrue(run.failed <= 1, run.failed)
        self.assertTrue(delivered > 0)
        import os
        self.assertTrue(os.stat(self.path)[6] <= 1200)

    def test_a_torn_record_is_dropped_alone(self):
        """The newest record's bytes zeroed by a power cut (its header on the flash): the
        intact records before it are all delivered, it is counted as corrupt."""
        self.clean()
        run = Run(self.path, Faults(), max_bytes=4000)
        for _ in range(6):
            run.step('snap')
        with _open(self.path, 'r+b') as f:  # the newest record: zero its payload
            p = f.seek(0, 2) or f.tell()
            f.seek(p - 30)
            f.write(bytes(26))
        run.reset()
        self.assertEqual(run.w.pending, 6)
        run.step(204)
        self.assertEqual(run.dropped('corrupt'), run.accepted[run.t * 1000])
        self.assertEqual(sorted(run.rx.got), sorted(run.accepted)[:5])

    def test_it_opens_whatever_the_file_holds(self):
        for junk in (b'', b'\0' * 3000, b'PX' * 700, bytes(range(256)) * 9,
                     b'PX\x01\x00' + b'\xff' * 40):
            with _open(self.path, 'wb') as f:
                f.write(junk)
            run = Run(self.path, Faults(), max_bytes=1500)
            self.assertEqual(run.w.pending, 0)
            for op in ['snap'] * 8 + [204]:
                run.step(op)
            taken, delivered = run.finish()
            self.assertEqual(run.counted + delivered, taken)
            self.assertTrue(delivered > 0)

    def test_a_file_that_cannot_be_opened_is_tried_again(self):
        import os
        self.clean()
        os.mkdir(self.path)  # a folder where the file should be
        try:
            run = Run(self.path, Faults(), max_bytes=1500)
            run.step('snap')
            self.assertEqual(run.failed, 1)
        finally:
            os.rmdir(self.path)
        run.step('snap')
        run.step(204)
        self.assertEqual(len(run.rx.got), 1)

    def test_random_faults_and_resets(self):
        import random
        for seed in range(40 if CPYTHON else 6):
            random.seed(seed)
            f = Faults()
            self.clean()
            run = Run(self.path, f, max_bytes=random.choice((300, 700, 2000)))
            for i in range(60):
                r = random.random()
                if r < 0.1 and not f.fired:  # the next fault: somewhere in the next writes
                    f.at = f.written + random.randrange(0, 400)
                    f.mode = random.choice(('eio', 'enospc', 'reset', 'torn'))
                elif f.fired:
                    f.fired = False
                    f.at = None
                op = random.choice(['snap'] * 5 + ['reset', None, 204, 204, 500, 400])
                run.step(op)
            try:
                run.finish()
            except Exception as e:
                raise AssertionError('seed %d: %s' % (seed, e))


def _vfs():
    """MicroPython's vfs module, CircuitPython's os (which has VfsFat and mount), or None."""
    try:
        import vfs
    except ImportError:
        import os as vfs
    return vfs if hasattr(vfs, 'VfsFat') and hasattr(vfs, 'mount') else None


NO_FAT = 'no VfsFat here (CPython: FileBufferFaults)' if _vfs() is None else ''


class FatVolume(unittest.TestCase):
    """Runs on a real VfsFat volume in RAM (micropython-board), where a full volume is a real
    one and a reset is the volume as its blocks were at that moment."""
    folder = '/ramfat'

    dev = None

    def setUp(self):
        vfs = _vfs()
        if vfs is None:
            return  # (every test skips)
        self.dev = RAMBlockDev(512, 128)
        vfs.VfsFat.mkfs(self.dev)
        vfs.mount(vfs.VfsFat(self.dev), self.folder)
        FileBufferFaults.setUp(self)

    def tearDown(self):
        if self.dev is not None:
            FileBufferFaults.tearDown(self)
            _vfs().umount(self.folder)

    clean = FileBufferFaults.clean
    run_script = FileBufferFaults.run_script
    @unittest.skipIf(NO_FAT, NO_FAT)
    def test_without_faults_every_sample_arrives_once(self):
        FileBufferFaults.test_without_faults_every_sample_arrives_once(self)

    @unittest.skipIf(NO_FAT, NO_FAT)
    def test_a_torn_record_is_dropped_alone(self):
        FileBufferFaults.test_a_torn_record_is_dropped_alone(self)

    @unittest.skipIf(NO_FAT, NO_FAT)
    def test_faults_and_resets(self):
        for at in range(0, 3000, 211):
            for mode in ('eio', 'reset', 'torn'):
                try:
                    self.run_script(Faults(at, mode), SHORT, 1200)
                except Exception as e:
                    raise AssertionError('fault %s at byte %d: %s' % (mode, at, e))

    @unittest.skipIf(NO_FAT, NO_FAT)
    def test_power_cut_at_every_block_write(self):
        """The power goes at the n-th block the volume writes (nothing after it reaches the
        flash, FAT's own tables included), then the board starts again from that volume.
        Every sample accepted before the step the power went in is sent or counted."""
        clean = FatRun(self, self.dev, None)
        for op in SHORT:
            clean.step(op)
        clean.done()
        blocks = self.dev.writes
        self.assertTrue(blocks > 20, blocks)
        for cut in range(1, blocks):
            run = FatRun(self, self.dev, cut)
            try:
                for op in SHORT:
                    run.step(op)
                run.done()
            except Exception as e:
                raise AssertionError('power cut at block write %d: %s' % (cut, e))
            self.assertTrue(run.resets > 0)

    @unittest.skipIf(NO_FAT, NO_FAT)
    def test_a_really_full_volume(self):
        """The volume fills up before the file reaches max_bytes: the ring ends there and
        snapshots go on (the oldest dropped, counted)."""
        import os
        filler = self.folder + '/filler'
        st = os.statvfs(self.folder)
        with _open(filler, 'wb') as f:  # leave 1.5 KB free
            left = st[0] * st[3] - 1536
            while left > 0:
                left -= f.write(bytes(min(left, 512)))
        try:
            run, (taken, delivered) = self.run_script(Faults(), SCRIPT, 8192)
            self.assertTrue(run.failed <= 2, run.failed)
            self.assertTrue(delivered > 0)
            self.assertTrue(os.stat(self.path)[6] <= 1536)
        finally:
            os.remove(filler)


class FatRun(Run):
    """A Run on a fresh VfsFat volume whose device loses power at its cut-th block write:
    the board then starts again from what the device holds (a volume of its own, so that
    the files of the life before write nothing more to it)."""

    def __init__(self, case, dev, cut):
        vfs = _vfs()
        vfs.umount(case.folder)
        dev.cut = None
        dev.wipe()
        vfs.VfsFat.mkfs(dev)
        dev.writes = 0
        self.case = case
        self.dev = dev
        dev.cut = cut
        vfs.mount(vfs.VfsFat(dev), case.folder)
        Run.__init__(self, case.path, Faults(), 1200)

    def step(self, op):
        Run.step(self, op)
        dev = self.dev
        if dev.cut is not None and dev.writes >= dev.cut:  # the power went in this step
            if op == 'snap':
                self.accepted.pop(self.t * 1000, None)
            vfs = _vfs()
            self.w.buffer._close()  # (onto the old device, which takes nothing any more)
            vfs.umount(self.case.folder)
            self.dev = dev.copy()
            vfs.mount(vfs.VfsFat(self.dev), self.case.folder)
            self.reset()

    def done(self):
        self.finish()
        vfs = _vfs()
        self.w.buffer._close()
        vfs.umount(self.case.folder)
        self.case.dev.cut = None
        vfs.mount(vfs.VfsFat(self.case.dev), self.case.folder)


class RAMBlockDev:
    """A block device in RAM, as MicroPython's documentation writes one (a bytearray a
    block: a shared board heap has no one large block for all of them)."""
    cut = None  # the block write at which the power goes: it and all after are lost

    def __init__(self, block_size, num_blocks):
        self.block_size = block_size
        self.blocks = [bytearray(block_size) for _ in range(num_blocks)]
        self.writes = 0

    def copy(self):
        d = RAMBlockDev(self.block_size, len(self.blocks))
        for a, b in zip(d.blocks, self.blocks):
            a[:] = b
        return d

    def wipe(self):
        for b in self.blocks:
            b[:] = bytes(self.block_size)

    def _span(self, block_num, offset, n):
        """(block, start, length) pieces of n bytes from block_num at offset."""
        bs = self.block_size
        while n:
            k = min(n, bs - offset)
            yield self.blocks[block_num], offset, k
            n -= k
            block_num += 1
            offset = 0

    def readblocks(self, block_num, buf, offset=0):
        at = 0
        for b, o, k in self._span(block_num, offset, len(buf)):
            buf[at:at + k] = b[o:o + k]
            at += k

    def writeblocks(self, block_num, buf, offset=None):
        self.writes += 1
        if self.cut is not None and self.writes >= self.cut:
            return
        at = 0
        for b, o, k in self._span(block_num, offset or 0, len(buf)):
            b[o:o + k] = buf[at:at + k]
            at += k

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return len(self.blocks)
        if op == 5:  # block size
            return self.block_size
        if op == 6:  # erase a block
            return 0


if __name__ == '__main__':
    unittest.main()
