# The tiny HTTP/1.1 client that push.py and remote_write.py send with: one request per
# connection, a body given as bytes, streamed in chunks, or sent by a function with its length
# known; the answer read whole (Content-Length, chunked, or until close).
#
# Imported on: CPython, MicroPython, CircuitPython (only when pushing or remote writing: a
# board that remote-writes never compiles the Pushgateway code, and the reverse).
from ._clock import elapsed, ticks
from ._format import CPYTHON
from ._sockets import Net, recv_some


def send_all(s, data):
    # Send all of data on a blocking socket (with a timeout), looping over partial sends
    # (a Pico W sends at most 2920 bytes a call).
    mv = memoryview(data)
    sent = 0
    while sent < len(data):
        k = s.send(mv[sent:])
        sent += len(data) - sent if k is None else k  # some ports return None for "all"


class PushError(OSError):
    # A non-2xx answer: .status is its code, .body what the server said.

    def __init__(self, status, body, url='', headers=None):
        msg = body.decode('utf-8', 'replace') if isinstance(body, bytes) else str(body)
        super().__init__('%s %d: %s' % (url, status, msg.strip()[:300]))
        self.status = status
        self.body = body
        self.url = url
        self.headers = headers or {}  # the answer's headers, names in lower case


def split_url(url):
    # (scheme, host, port, path) of an http(s) URL; the scheme defaults to http.
    scheme = 'http'
    i = url.find('://')
    if i >= 0:
        scheme = url[:i].lower()
        url = url[i + 3:]
    if scheme not in ('http', 'https'):
        raise ValueError('Unsupported URL scheme: ' + scheme)
    slash = url.find('/')
    hostport, path = (url, '/') if slash < 0 else (url[:slash], url[slash:])
    port = 443 if scheme == 'https' else 80
    colon = hostport.rfind(':')
    if colon >= 0 and ']' not in hostport[colon:]:
        port = int(hostport[colon + 1:])
        hostport = hostport[:colon]
    return scheme, hostport.strip('[]'), port, path


MAX_HEAD = 65536 if CPYTHON else 4096  # an answer's head: a receiver's is a few hundred bytes


class _Budget:
    # One request's socket, with `timeout` seconds for the whole of it (connect, send and
    # the answer): a receiver that drips a byte at a time cannot hold a flush, or the sensor
    # loop that called it, longer than that.

    def __init__(self, sock, timeout, start):
        self.sock = sock
        self.timeout = timeout
        self.start = start

    def left(self):
        if self.timeout is None:
            return None
        t = self.timeout - elapsed(self.start)
        if t <= 0:
            raise OSError(110, 'request timed out')  # ETIMEDOUT
        return t

    def recv(self, buf):
        self.sock.settimeout(self.left())
        return recv_some(self.sock, buf)

    def send(self, data):
        self.sock.settimeout(self.left())
        send_all(self.sock, data)


def _read_response(b):
    # (status, headers, body) of the answer on b (a _Budget); 1xx answers before it (100
    # Continue, RFC 9110 15.2) are skipped.
    buf = bytearray()
    while True:
        end = buf.find(b'\r\n\r\n')
        while end < 0:
            if len(buf) > MAX_HEAD:
                raise OSError(71, 'answer head too long')
            if b.recv(buf) == 0:
                if buf:
                    raise OSError(71, 'not an HTTP answer: %r' % bytes(buf[:60]))
                raise OSError(104, 'connection closed before the answer')
            end = buf.find(b'\r\n\r\n')
        lines = bytes(buf[:end]).decode('utf-8', 'replace').split('\r\n')
        first = lines[0].split(' ')
        if len(first) < 2 or first[0][:5] != 'HTTP/' or not first[1].isdigit():
            raise OSError(71, 'not an HTTP answer: %r' % lines[0][:60])  # EPROTO
        status = int(first[1])
        buf = buf[end + 4:]
        if not 100 <= status < 200:
            break
    headers = {}
    for line in lines[1:]:
        c = line.find(':')
        if c > 0:
            headers[line[:c].strip().lower()] = line[c + 1:].strip()
    body = buf
    if headers.get('transfer-encoding', '').lower() == 'chunked':
        out = bytearray()
        while True:
            while body.find(b'\r\n') < 0:
                if b.recv(body) == 0:
                    raise OSError(104, 'connection closed mid-answer')
            nl = body.find(b'\r\n')
            n = int(bytes(body[:nl]).split(b';')[0], 16)
            while len(body) < nl + 4 + n and n:
                if b.recv(body) == 0:
                    raise OSError(104, 'connection closed mid-answer')
            if n == 0:
                break
            out.extend(body[nl + 2:nl + 2 + n])
            body = body[nl + 4 + n:]
        return status, headers, bytes(out)
    n = headers.get('content-length')
    if n is not None:
        n = int(n)
        while len(body) < n:
            if b.recv(body) == 0:
                raise OSError(104, 'connection closed mid-answer')
        return status, headers, bytes(body[:n])
    while b.recv(body):  # no length: until the server closes
        if len(body) > MAX_HEAD * 4:
            break  # (an answer's text is only for an error message)
    return status, headers, bytes(body)


def request(url, method='GET', headers=(), body=b'', timeout=30, net=None, follow=0):
    # One HTTP/1.1 request; returns (status, headers, body) or raises PushError (non-2xx)
    # or OSError. body is bytes, a function taking write(str) that is sent chunked, or
    # (length, function taking send(bytes-like)) that sends exactly length bytes. timeout:
    # seconds for the whole request. follow: how many 307/308 redirects to follow, sending
    # the body again (remote write does, as Prometheus' own sender).
    start = ticks()
    while True:
        status, rheaders, rbody = _once(url, method, headers, body, timeout, net, start)
        loc = rheaders.get('location')
        if status in (307, 308) and follow > 0 and loc:
            follow -= 1
            if loc[:1] == '/':  # a path on the same server
                scheme, host, port, path = split_url(url)
                loc = '%s://%s:%d%s' % (scheme, '[%s]' % host if ':' in host else host,
                                        port, loc)
            url = loc
            continue
        if not 200 <= status < 300:
            raise PushError(status, rbody, url, rheaders)
        return status, rheaders, rbody


def _once(url, method, headers, body, timeout, net, start):
    scheme, host, port, path = split_url(url)
    net = net or Net()
    sock = net.connect(host, port, timeout)
    try:
        if scheme == 'https':
            sock = _tls(sock, host)
        b = _Budget(sock, timeout, start)
        name = '[%s]' % host if ':' in host else host  # an IPv6 address in brackets
        head = '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n' % (
            method, path, name if port in (80, 443) else '%s:%d' % (name, port))
        if not [1 for k, v in headers if k.lower() == 'user-agent']:
            head += 'User-Agent: prometheus_express\r\n'
        for k, v in headers:
            head += '%s: %s\r\n' % (k, v.decode() if isinstance(v, bytes) else v)
        if callable(body):
            b.send((head + 'Transfer-Encoding: chunked\r\n\r\n').encode('utf-8'))
            out = ChunkWriter(b.send)
            body(out.write)
            out.flush()
            b.send(b'0\r\n\r\n')
        elif isinstance(body, tuple):
            b.send((head + 'Content-Length: %d\r\n\r\n' % body[0]).encode('utf-8'))
            body[1](b.send)
        else:
            data = (head + 'Content-Length: %d\r\n\r\n' % len(body)).encode('utf-8')
            b.send(data + body if len(body) < 4096 else data)
            if len(body) >= 4096:
                b.send(body)
        return _read_response(b)
    finally:
        try:
            sock.close()
        except Exception:
            pass


def b64(data):
    # Base64 of bytes, as str (Basic auth).
    try:
        from binascii import b2a_base64
    except ImportError:
        from ubinascii import b2a_base64
    return b2a_base64(data).strip().decode()


def _tls(sock, host):
    import ssl
    if hasattr(ssl, 'create_default_context'):
        return ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    return ssl.wrap_socket(sock, server_hostname=host)


# On boards, chunks are built by bytearray.extend(str), which copies the UTF-8 bytes without
# making a bytes object; after warm-up it allocates nothing. CPython joins a list of str and
# encodes once, which is faster there.
_EXTEND = not CPYTHON


class ChunkWriter:
    # write(str) for a streamed request body: pieces gather into about `size` bytes, then
    # go to send(bytes-like) as one HTTP chunk. Peak memory is one chunk, and on boards the
    # chunk buffer is reused, so a push allocates little beyond the numbers.

    def __init__(self, send, size=1460):
        self.send = send
        self.size = size
        self.n = 0
        if _EXTEND:
            self.buf = bytearray()
        else:
            self.pieces = []

    def write(self, s):
        if _EXTEND:
            self.buf.extend(s)
            if len(self.buf) >= self.size:
                self.flush()
        else:
            self.pieces.append(s)
            self.n += len(s)
            if self.n >= self.size:
                self.flush()

    def flush(self):
        if _EXTEND:
            data = self.buf
        else:
            data = ''.join(self.pieces).encode('utf-8')
            self.pieces = []
            self.n = 0
        if len(data):
            self.send(('%x\r\n' % len(data)).encode())
            self.send(data)
            self.send(b'\r\n')
        if _EXTEND:
            self.buf[:] = b''  # empty, keeping its allocation for the next chunk
