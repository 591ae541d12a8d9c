"""Pollers for the runtimes whose select.poll does not answer with socket objects (CPython:
file numbers) or that have no select.poll at all (CircuitPython boards' socketpool).

Imported on: CPython; CircuitPython boards without select.
"""


def poller(select):
    if select is not None and hasattr(select, 'poll'):
        try:
            return _Poll(select)
        except OSError:
            pass
    return _NoPoll()


class _Poll:
    """select.poll that answers with the socket objects (CPython gives file numbers)."""

    def __init__(self, select):
        self._p = select.poll()
        self._by_fd = {}

    def register(self, s, events):
        self._p.register(s, events)
        self._by_fd[s.fileno()] = s

    def modify(self, s, events):
        self._p.modify(s, events)

    def unregister(self, s):
        try:
            self._p.unregister(s)
        except (OSError, KeyError, ValueError):
            pass
        try:
            self._by_fd.pop(s.fileno(), None)
        except (OSError, AttributeError):
            pass

    def poll(self, timeout_ms):
        out = []
        for fd, ev in self._p.poll(timeout_ms):
            obj = self._by_fd.get(fd)
            if obj is not None:
                out.append((obj, ev))
        return out


class _NoPoll:
    """Where there is no select.poll: report every socket ready for what it waits for and let
    the non-blocking calls say EAGAIN; sleep a little so an idle loop does not spin."""

    def __init__(self):
        self._socks = []

    def register(self, s, events):
        self._socks.append([s, events])

    def modify(self, s, events):
        for e in self._socks:
            if e[0] is s:
                e[1] = events

    def unregister(self, s):
        self._socks = [e for e in self._socks if e[0] is not s]

    def poll(self, timeout_ms):
        import time
        if timeout_ms:
            time.sleep(min(timeout_ms, 5) / 1000)
        return [(e[0], e[1]) for e in self._socks]
