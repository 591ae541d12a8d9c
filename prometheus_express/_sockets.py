# The socket adapter: the only code that touches sockets.
#
# Imported on: CPython, MicroPython, CircuitPython (by server and push, never at package import).
#
# Net wraps the CPython/MicroPython `socket` module or a CircuitPython `socketpool.SocketPool`;
# it makes listeners and connections and a poller, and hides the differences: recv vs
# recv_into, partial sends, errno numbers per port, getaddrinfo addresses, no select.poll.
# Tests pass a Net-like object of their own (tests/fakenet.py) to inject failures.
import errno as _errno

from ._format import CPYTHON

try:
    import select as _select
except ImportError:
    _select = None


def _codes(names, fallback):
    return tuple([getattr(_errno, n) for n in names.split() if hasattr(_errno, n)]) + fallback


# errno names first; the numbers seen on boards as fallback (lwIP, WIZnet, ESP-IDF).
_KINDS = (('again', _codes('EAGAIN EWOULDBLOCK EINPROGRESS', (11,))),
          ('timeout', _codes('ETIMEDOUT', (110, 116))),
          ('reset', _codes('ECONNRESET ENOTCONN EPIPE ECONNABORTED EBADF', (104, 107, 128, 32))),
          ('inuse', _codes('EADDRINUSE', (98, 112))),
          ('link', _codes('ENETDOWN ENETUNREACH', (100, 101))))
del _codes  # (used here only: a board frees its code)

POLLIN = getattr(_select, 'POLLIN', 1)
POLLOUT = getattr(_select, 'POLLOUT', 4)
POLLERR = getattr(_select, 'POLLERR', 8) | getattr(_select, 'POLLHUP', 16)


def err_kind(e):
    # 'again', 'timeout', 'reset', 'inuse', 'link', 'memory' or 'other' for an exception
    # from a socket call (a driver written in Python may find no heap for its buffers).
    if e.__class__.__name__ in ('timeout', 'TimeoutError'):  # CPython's socket.timeout
        return 'timeout'
    if isinstance(e, MemoryError):
        return 'memory'
    code = getattr(e, 'errno', None)
    if code is None and e.args:
        code = e.args[0]
    for kind, codes in _KINDS:
        if code in codes:
            return kind
    return 'other'


class Net:
    # Sockets and polling over `socket` (default) or a CircuitPython SocketPool (pool=...).
    esp = False  # the pool is the ESP32-SPI driver's (its sockets: _pysockets.EspSocket)

    def __init__(self, pool=None):
        self.native = pool is None
        if pool is None:
            import socket as pool
        self.pool = pool
        # Sockets the pool can give, where it has few, or None; and how many should listen:
        # the WIZnet driver's chip has 8 but its socket 0, and no accept queue (3 listen, so
        # that 3 scrapers at once are served); the ESP32-SPI co-processor (nina-fw) has 6 and
        # an accept queue (1 listens).
        i = getattr(pool, '_interface', None)
        n = getattr(i, 'max_sockets', None)
        if hasattr(i, 'start_server'):
            self.esp = True
        self.sockets = n - 1 if n.__class__ is int else 6 if self.esp else None
        self.listeners = n and 3 or 1

    def _socket(self, host, port):
        # (a new stream socket, the sockaddr to bind/connect it to): IPv6 where the host is
        # one and the runtime has it (CPython), else IPv4 (MicroPython wants getaddrinfo's raw
        # sockaddr, not a tuple).
        if port.__class__ is not int or not 0 <= port <= 65535:
            raise OverflowError('port must be 0-65535, not %r' % (port,))
        p = self.pool
        family = p.AF_INET6 if ':' in host and hasattr(p, 'AF_INET6') else p.AF_INET
        try:
            addr = p.getaddrinfo(host, port, family)[0][-1]
        except TypeError:  # a port whose getaddrinfo takes no family
            addr = p.getaddrinfo(host, port)[0][-1]
        return p.socket(family, p.SOCK_STREAM), addr

    def listen(self, host, port, backlog=8):
        s, addr = self._socket(host, port)
        try:
            try:
                s.setsockopt(self.pool.SOL_SOCKET, self.pool.SO_REUSEADDR, 1)
            except (AttributeError, OSError):
                pass  # not every port has it
            try:
                s.bind(addr)
            except ValueError:  # the WIZnet driver takes only its own address, or none
                if host not in ('0.0.0.0', ''):
                    raise
                s.bind((None, port))
            s.listen(backlog)
            s.setblocking(False)
        except BaseException:
            s.close()
            raise
        if not self.native and _python_socket(s):
            from ._pysockets import EspSocket, PySocket  # extension: Python-object sockets
            s = EspSocket(s) if self.esp else PySocket(s)
        return s

    def connect(self, host, port, timeout):
        s, addr = self._socket(host, port)
        try:
            s.settimeout(timeout)
            s.connect(addr)
        except BaseException:
            s.close()
            raise
        if self.esp:
            from ._pysockets import EspSocket  # extension: the ESP32-SPI driver's recv pads
            s = EspSocket(s, s._socknum, timeout)
        return s

    def poller(self):
        # Something with register/modify/unregister(sock) and poll(ms) -> [(sock, events)]:
        # MicroPython's select.poll is that; CPython's answers with file numbers and
        # CircuitPython boards have none (see _pollers.py).
        if self.native and _select is not None and hasattr(_select, 'poll') and not CPYTHON:
            return _select.poll()
        from ._pollers import poller  # extension: pollers for sockets poll() can't take
        return poller(_select)


def _python_socket(s):
    # Whether s is a socket written in Python, which select cannot poll (the WIZnet
    # driver's), rather than one of the runtime's own.
    if _select is not None and hasattr(_select, 'poll'):
        try:
            _select.poll().register(s, 0)
            return False
        except Exception:
            return True
    return hasattr(s, '_interface')


def recv_some(s, buf, n=4096 if CPYTHON else 512):
    # Read into bytearray buf (appending); return the byte count (0: peer closed).
    #
    # MicroPython sockets have recv but no recv_into; CircuitPython's have only recv_into. A
    # heap with no contiguous room for n bytes gets the data 64 bytes at a time.
    try:
        data = s.recv(n)
    except AttributeError:
        data = bytearray(n)
        data = data[:s.recv_into(data)]
    except MemoryError:
        data = s.recv(64)
    buf.extend(data)
    return len(data)
