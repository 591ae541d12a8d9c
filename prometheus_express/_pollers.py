# Pollers for the runtimes whose select.poll does not answer with socket objects (CPython:
# file numbers), for sockets that select cannot poll (a socketpool written in Python: the
# WIZnet driver's), and where there is no select.poll at all.
#
# Imported on: CPython; CircuitPython with a socketpool.


def poller(select):
    if select is not None and hasattr(select, 'poll'):
        try:
            return _Poll(select)
        except OSError:
            pass
    return _NoPoll()


class _Poll:
    # select.poll that answers with the socket objects (CPython gives file numbers).

    def __init__(self, select):
        self._p = select.poll()
        self._by_fd = {}
        self._py = _NoPoll()  # the sockets select cannot poll

    def register(self, s, events):
        if hasattr(s, 'ready'):  # a PySocket (select cannot poll it: never give it one)
            self._py.register(s, events)
            return
        self._p.register(s, events)
        try:
            self._by_fd[s.fileno()] = s
        except Exception:  # MicroPython's poll answers with the object itself
            pass

    def modify(self, s, events):
        if self._py.has(s):
            self._py.modify(s, events)
        else:
            self._p.modify(s, events)

    def unregister(self, s):
        if self._py.has(s):
            self._py.unregister(s)
            return
        try:
            self._p.unregister(s)
        except (OSError, KeyError, ValueError):
            pass
        try:
            self._by_fd.pop(s.fileno(), None)
        except Exception:
            pass

    def poll(self, timeout_ms):
        if self._py._socks:
            out = self._py.poll(0)
            timeout_ms = 0 if out else timeout_ms
        else:
            out = []
        for e in self._p.poll(min(timeout_ms, 5) if self._py._socks else timeout_ms):
            obj = self._by_fd.get(e[0], e[0])
            out.append((obj, e[1]))
        return out


class _NoPoll:
    # Where there is no select.poll: report every socket ready for what it waits for and let
    # the non-blocking calls say EAGAIN; sleep a little so an idle loop does not spin.

    def __init__(self):
        self._socks = []

    def register(self, s, events):
        self._socks.append([s, events])

    def has(self, s):
        for e in self._socks:
            if e[0] is s:
                return True
        return False

    def modify(self, s, events):
        for e in self._socks:
            if e[0] is s:
                e[1] = events

    def unregister(self, s):
        self._socks = [e for e in self._socks if e[0] is not s]

    def poll(self, timeout_ms):
        # The sockets ready for what they wait for: by their own ready(events) where they
        # have one (PySocket), else all of them (their non-blocking calls say EAGAIN).
        out = []
        for s, ev in self._socks:
            r = s.ready(ev) if hasattr(s, 'ready') else ev
            if r:
                out.append((s, r))
        if not out and timeout_ms:
            import time
            time.sleep(min(timeout_ms, 5) / 1000)
        return out
