# portable helper: an in-memory network for the server and push tests (any runtime)
"""FakeNet has the interface of prometheus_express._sockets.Net; its sockets are byte
buffers that can raise any errno at accept, recv or send, and send as little as 1 byte."""
import errno

from prometheus_express._sockets import POLLIN, POLLOUT

EAGAIN = errno.EAGAIN


class FakeSock:
    def __init__(self, inbound=b'', send_max=None, send_fail_after=None):
        self.inbound = bytearray(inbound)
        self.send_fail_after = send_fail_after  # raise ETIMEDOUT once this many bytes went
        self.out = bytearray()
        self.closed = False
        self.peer_closed = False
        self.recv_errors = []
        self.send_errors = []
        self.send_max = send_max

    def feed(self, data):
        self.inbound.extend(data)

    def recv(self, n):
        if self.closed:
            raise OSError(errno.EBADF)
        if self.recv_errors:
            raise OSError(self.recv_errors.pop(0))
        if not self.inbound:
            if self.peer_closed:
                return b''
            raise OSError(EAGAIN)
        d = bytes(self.inbound[:n])
        self.inbound = self.inbound[n:]
        return d

    def send(self, data):
        if self.closed:
            raise OSError(errno.EBADF)
        if self.send_errors:
            raise OSError(self.send_errors.pop(0))
        k = len(data) if self.send_max is None else min(self.send_max, len(data))
        if self.send_fail_after is not None and len(self.out) + k > self.send_fail_after:
            raise OSError(getattr(errno, 'ETIMEDOUT', 110))
        self.out.extend(bytes(data[:k]))
        return k

    def ready(self):
        return bool(self.inbound or self.recv_errors or self.peer_closed)

    def setblocking(self, flag):
        pass

    def settimeout(self, t):
        pass

    def close(self):
        self.closed = True


class FakeListener(FakeSock):
    def __init__(self):
        FakeSock.__init__(self)
        self.pending = []
        self.accept_errors = []

    def accept(self):
        if self.closed:
            raise OSError(errno.EBADF)
        if self.accept_errors:
            raise OSError(self.accept_errors.pop(0))
        if not self.pending:
            raise OSError(EAGAIN)
        return self.pending.pop(0), ('10.0.0.2', 40000)

    def ready(self):
        return bool(self.pending or self.accept_errors)


class FakePoller:
    """Reports POLLIN for a socket with something to read, POLLOUT for one registered for
    it (a fake socket can always take at least a byte)."""

    def __init__(self):
        self.socks = []
        self.events = {}

    def register(self, s, events):
        self.socks.append(s)
        self.events[id(s)] = events

    def modify(self, s, events):
        self.events[id(s)] = events

    def unregister(self, s):
        self.socks = [x for x in self.socks if x is not s]

    def poll(self, timeout_ms):
        out = []
        for s in self.socks:
            ev = self.events.get(id(s), POLLIN)
            if ev & POLLOUT:
                out.append((s, POLLOUT))
            elif s.ready():
                out.append((s, POLLIN))
        return out


class FakeNet:
    sockets = None  # no limit (Net.sockets: what a network chip can give)

    def __init__(self, answers=()):
        self.listener = None
        self.listens = 0
        self.bind_errors = []
        self.answers = list(answers)  # for connect(): response bytes, an errno, or a FakeSock
        self.connected = []           # (host, port, the client FakeSock) in order

    def connect(self, host, port, timeout):
        a = self.answers.pop(0)
        if isinstance(a, int):
            raise OSError(a)
        s = a if isinstance(a, FakeSock) else FakeSock(a)
        s.peer_closed = True
        self.connected.append((host, port, s))
        return s

    def listen(self, host, port, backlog=8):
        if self.bind_errors:
            raise OSError(self.bind_errors.pop(0))
        self.listens += 1
        self.listener = FakeListener()
        return self.listener

    def poller(self):
        return FakePoller()

    def client(self, data=b'', send_max=None):
        """A new client connection waiting to be accepted, having sent data."""
        s = FakeSock(data, send_max)
        self.listener.pending.append(s)
        return s


def answer(status, body=b'', reason='X'):
    """A whole HTTP response as a server would send it."""
    return (('HTTP/1.1 %d %s\r\nContent-Length: %d\r\n\r\n' % (status, reason, len(body)))
            .encode() + body)


def _dechunk(rest):
    """(body, what follows) of a chunked body; None if it is not all there yet."""
    body = b''
    while True:
        nl = rest.find(b'\r\n')
        if nl <= 0:
            return None
        n = int(rest[:nl], 16)
        if len(rest) < nl + 4 + n:
            return None
        body += rest[nl + 2:nl + 2 + n]
        rest = rest[nl + 4 + n:]
        if n == 0:
            return body, rest


def _head(raw):
    """(first line, headers dict, what follows) of a request or response; None if the head
    is not all there."""
    raw = bytes(raw)
    end = raw.find(b'\r\n\r\n')
    if end < 0:
        return None
    lines = raw[:end].decode().split('\r\n')
    headers = {}
    for line in lines[1:]:
        k, v = line.split(':', 1)
        headers[k.strip().lower()] = v.strip()
    return lines[0], headers, raw[end + 4:]


def parse_request(raw):
    """(request line, headers dict, body) of raw request bytes, chunked bodies joined."""
    line, headers, rest = _head(raw)
    if headers.get('transfer-encoding') == 'chunked':
        return line, headers, _dechunk(rest)[0]
    return line, headers, rest


def parse_response(raw, head_only=False):
    """(status, headers dict, body bytes, rest) from raw response bytes (chunked or not);
    head_only for the answer to a HEAD request (no body whatever the headers say)."""
    head = _head(raw)
    if head is None:
        return None
    line, headers, rest = head
    status = int(line.split(' ')[1])
    if head_only:
        return status, headers, b'', rest
    if headers.get('transfer-encoding') == 'chunked':
        done = _dechunk(rest)
        if done is None:
            return None  # not all there yet
        return status, headers, done[0], done[1]
    n = int(headers.get('content-length', len(rest)))
    return status, headers, rest[:n], rest[n:]
