# What CircuitPython firmware has and circuitpython-board's unix port lacks, for programs
# written for the firmware (adafruit_httpserver): time.monotonic_ns and time.monotonic, a
# traceback module, and re's match.groups(). Imported by a board program before such a
# library, on circuitpython-board only (as ../shared/tools/w5500/circuitpython/__future__.py
# stands in for the firmware's __future__). Nothing of ours uses it.
import re as _re
import sys
import time as _time


class _Module:
    pass


_t = _Module()
for _k in dir(_time):
    if _k[:2] != '__':
        setattr(_t, _k, getattr(_time, _k))
_t.monotonic_ns = _time.time_ns
_t.monotonic = lambda: _time.time_ns() / 1e9
sys.modules['time'] = _t


class _Match:
    def __init__(self, m, n):
        self._m = m
        self._n = n

    def group(self, *a):
        return self._m.group(*a)

    def groups(self):
        return tuple([self._m.group(i + 1) for i in range(self._n)])


class _Pattern:
    def __init__(self, src, flags=0):
        self._p = _re.compile(src, flags) if flags else _re.compile(src)
        self._n = src.count('(') - src.count('\\(') - src.count('(?')

    def match(self, s):
        m = self._p.match(s)
        return m and _Match(m, self._n)

    def search(self, s):
        m = self._p.search(s)
        return m and _Match(m, self._n)

    def split(self, s, *a):
        return self._p.split(s, *a)

    def sub(self, repl, s, *a):
        return self._p.sub(repl, s, *a)


_r = _Module()
_r.compile = _Pattern
_r.match = lambda p, s: _Pattern(p).match(s)
_r.search = lambda p, s: _Pattern(p).search(s)
_r.sub = lambda p, repl, s, *a: _re.sub(p, repl, s, *a)
_r.split = lambda p, s, *a: _Pattern(p).split(s, *a)
sys.modules['re'] = _r


class _Traceback:
    @staticmethod
    def print_exception(*a, **k):
        print('exception', a[:2])

    @staticmethod
    def format_exception(*a, **k):
        return [repr(a[:2])]


sys.modules['traceback'] = _Traceback
