"""The socket adapter: the only code that touches sockets.

Imported on: CPython, MicroPython, CircuitPython (by server and push, never at package import).

Net wraps the CPython/MicroPython `socket` module or a CircuitPython `socketpool.SocketPool`;
it makes listeners and connections and a poller, and hides the differences: recv vs
recv_into, partial sends, errno numbers per port, getaddrinfo addresses, no select.poll.
Tests pass a Net-like object of their own (tests/fakenet.py) to inject failures.
"""
import errno as _errno

from ._format import CPYTHON

try:
    import select as _select
except ImportError:
    _select = None


def _codes(names, fallback):
    out = []
    for n in names:
        v = getattr(_errno, n, None)
        if v is not None:
            out.append(v)
    return tuple(out) + fallback


# errno names first; the numbers seen on boards as fallback (lwIP, WIZnet, ESP-IDF).
AGAIN = _codes(('EAGAIN', 'EWOULDBLOCK', 'EINPROGRESS'), (11,))
TIMEOUT = _codes(('ETIMEDOUT',), (110, 116))
RESET = _codes(('ECONNRESET', 'ENOTCONN', 'EPIPE', 'ECONNABORTED', 'EBADF'), (104, 107, 128, 32))
INUSE = _codes(('EADDRINUSE',), (98, 112))

POLLIN = getattr(_select, 'POLLIN', 1)
POLLOUT = getattr(_select, 'POLLOUT', 4)
POLLERR = getattr(_select, 'POLLERR', 8) | getattr(_select, 'POLLHUP', 16)


def err_code(e):
    """The errno of an OSError, whichever way the port stores it."""
    code = getattr(e, 'errno', None)
    if code is None and e.args:
        code = e.args[0]
    return code


def err_kind(e):
    """'again', 'timeout', 'reset', 'inuse' or 'other' for an exception from a socket call."""
    if e.__class__.__name__ in ('timeout', 'TimeoutError'):  # CPython's socket.timeout
        return 'timeout'
    code = err_code(e)
    if code in AGAIN:
        return 'again'
    if code in TIMEOUT:
        return 'timeout'
    if code in RESET:
        return 'reset'
    if code in INUSE:
        return 'inuse'
    return 'other'


class Net:
    """Sockets and polling over `socket` (default) or a CircuitPython SocketPool (pool=...)."""

    def __init__(self, pool=None):
        if pool is None:
            import socket as pool
        self.pool = pool

    def _addr(self, host, port):
        """(family, sockaddr) to bind/connect to: IPv6 where the host is one and the runtime
        has it (CPython), else IPv4 (MicroPython wants getaddrinfo's raw sockaddr)."""
        if port.__class__ is not int or not 0 <= port <= 65535:
            raise OverflowError('port must be 0-65535, not %r' % (port,))
        p = self.pool
        if ':' in host and hasattr(p, 'AF_INET6'):
            return p.AF_INET6, p.getaddrinfo(host, port, p.AF_INET6, p.SOCK_STREAM)[0][-1]
        try:
            return p.AF_INET, p.getaddrinfo(host, port, p.AF_INET)[0][-1]
        except (TypeError, AttributeError):  # a port whose getaddrinfo takes no family
            return p.AF_INET, p.getaddrinfo(host, port)[0][-1]

    def _socket(self, family):
        return self.pool.socket(family, self.pool.SOCK_STREAM)

    def listen(self, host, port, backlog=8):
        p = self.pool
        family, addr = self._addr(host, port)
        s = self._socket(family)
        try:
            try:
                s.setsockopt(p.SOL_SOCKET, p.SO_REUSEADDR, 1)
            except (AttributeError, OSError):
                pass  # not every port has it
            s.bind(addr)
            s.listen(backlog)
            s.setblocking(False)
        except BaseException:
            s.close()
            raise
        return s

    def connect(self, host, port, timeout):
        family, addr = self._addr(host, port)
        s = self._socket(family)
        try:
            s.settimeout(timeout)
            s.connect(addr)
        except BaseException:
            s.close()
            raise
        return s

    def poller(self):
        if _select is not None and hasattr(_select, 'poll'):
            try:
                return _Poll()
            except OSError:
                pass
        return _NoPoll()


class _Poll:
    """select.poll that answers with the socket objects on every runtime (CPython gives fds)."""

    def __init__(self):
        self._p = _select.poll()
        self._by_fd = {}

    def register(self, s, events):
        self._p.register(s, events)
        fd = getattr(s, 'fileno', None)
        if fd is not None:
            self._by_fd[fd()] = s

    def modify(self, s, events):
        self._p.modify(s, events)

    def unregister(self, s):
        try:
            self._p.unregister(s)
        except (OSError, KeyError, ValueError):
            pass
        fd = getattr(s, 'fileno', None)
        if fd is not None:
            try:
                self._by_fd.pop(fd(), None)
            except OSError:
                pass

    def poll(self, timeout_ms):
        out = []
        for obj, ev in self._p.poll(timeout_ms):
            if isinstance(obj, int):
                obj = self._by_fd.get(obj)
                if obj is None:
                    continue
            out.append((obj, ev))
        return out


class _NoPoll:
    """Where there is no select.poll (CircuitPython): report every socket ready for what it
    waits for and let the non-blocking calls say EAGAIN; sleep a little so an idle loop does
    not spin."""

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


def recv_some(s, buf):
    """Read into bytearray buf (appending); return the byte count (0: peer closed).

    MicroPython sockets have recv but no recv_into; CircuitPython's have only recv_into."""
    try:
        data = s.recv(1024)
    except AttributeError:
        tmp = bytearray(1024)
        n = s.recv_into(tmp)
        data = tmp[:n]
    buf.extend(data)
    return len(data)


def send_all(s, data):
    """Send all of data, looping over partial sends (a Pico W sends at most 2920 bytes a call).
    The socket must block (with a timeout): the server sets one before it calls this."""
    mv = memoryview(data)
    sent = 0
    n = len(data)
    while sent < n:
        k = s.send(mv[sent:])
        if k is None:  # some ports return None for "all of it"
            k = n - sent
        sent += k
