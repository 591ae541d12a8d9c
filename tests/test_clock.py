# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs, the board interpreters)
"""Durations and uptime from what each firmware has, with a stand-in for each clock:
MicroPython's ticks_ms (wraps at 2**30 ms, 12.4 days), CircuitPython's supervisor.ticks_ms
(wraps at 2**29), time.monotonic_ns (exact), and the float time.monotonic of CircuitPython
firmware without either (30 bits: it loses milliseconds after about an hour)."""
import unittest

from prometheus_express._ticks import pick
from prometheus_express.board import Uptime
from prometheus_express import CollectorRegistry
from prometheus_express.board import BoardCollector

DAY = 86400000  # ms


class Ticks:
    """A ticks_ms that wraps at `period` (a power of two), started at `now` ms."""

    def __init__(self, period, now=0):
        self.period = period
        self.now = now

    def ticks_ms(self):
        return self.now & (self.period - 1)

    def ticks_diff(self, a, b):  # MicroPython's
        half = self.period >> 1
        return ((a - b + half) & (self.period - 1)) - half


class NoTicks:
    """A time module with neither ticks_ms nor monotonic_ns (CircuitPython on an M0)."""

    def __init__(self):
        self.t = 0.0

    def monotonic(self):
        return self.t

    def time(self):
        return self.t


class Clocks(unittest.TestCase):
    def test_micropython_ticks_across_the_wrap(self):
        t = Ticks(1 << 30, (1 << 30) - 500)
        ms, diff = pick(t)
        a = ms()
        t.now += 1500
        self.assertEqual(diff(ms(), a), 1500)

    def test_supervisor_ticks_across_the_wrap(self):
        sup = Ticks(1 << 29, (1 << 29) - 250)
        ms, diff = pick(NoTicks(), sup)
        a = ms()
        sup.now += 1000
        self.assertEqual(diff(ms(), a), 1000)
        self.assertEqual(diff(a, ms()), -1000)

    def test_monotonic_ns_stays_exact_after_days_up(self):
        class T:
            ns = 10 * DAY * 1000000 + 123456789

            def monotonic_ns(self):
                return self.ns
        t = T()
        ms, diff = pick(t, object())
        a = ms()
        t.ns += 1000000
        self.assertEqual(diff(ms(), a), 1)

    def test_uptime_goes_on_past_every_wrap(self):
        for period in (1 << 30, 1 << 29):
            t = Ticks(period, period - 10)
            up = Uptime(t.ticks_ms, t.ticks_diff)
            for day in range(1, 31):
                t.now += DAY
                self.assertEqual(up.seconds(), day * 86400)

    def test_supervisor_uptime(self):
        sup = Ticks(1 << 29)
        ms, diff = pick(NoTicks(), sup)
        up = Uptime(ms, diff)
        for day in range(1, 21):
            sup.now += DAY // 2
            up.seconds()
        self.assertEqual(up.seconds(), 10 * 86400)

    def test_board_uptime_seconds_after_a_week(self):
        """board_uptime_seconds read 0 after 6.2 days on MicroPython before (ticks_diff
        of two readings half a period apart); scraped every 15 s it now counts on."""
        r = CollectorRegistry()
        c = BoardCollector(r, modules={})
        t = Ticks(1 << 30)
        c._up = Uptime(t.ticks_ms, t.ticks_diff)
        for _ in range(8 * 96):  # eight days of scrapes, 15 minutes apart
            t.now += 15 * 60000
            r.get_sample_value('board_uptime_seconds')
        self.assertEqual(r.get_sample_value('board_uptime_seconds'), 8 * 86400)


if __name__ == '__main__':
    unittest.main()
