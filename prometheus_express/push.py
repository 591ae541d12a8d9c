"""Pushgateway client (prometheus_client's names and signatures) and the tiny HTTP/1.1 client
it and remote_write use.

Imported on: CPython, MicroPython, CircuitPython (only when pushing).

    push_to_gateway('pushgateway:9091', job='greenhouse', registry=registry)

On a board the page is streamed to the gateway in HTTP chunks as it renders (no copy of it in
RAM) when the default handler is used; on CPython, and to a handler of your own, it goes as
bytes with a Content-Length, as upstream's does.
"""
from ._format import CPYTHON
from ._sockets import Net, recv_some, send_all
from .exposition import CONTENT_TYPE_PLAIN_0_0_4, write_text
from .registry import REGISTRY


# The Net used when none is given: set it once on CircuitPython,
# push.NET = Net(socketpool.SocketPool(wifi.radio)); tests put an in-memory one here.
NET = None


class PushError(OSError):
    """A non-2xx answer: .status is its code, .body what the server said."""

    def __init__(self, status, body, url='', headers=None):
        msg = body.decode('utf-8', 'replace') if isinstance(body, bytes) else str(body)
        super().__init__('%s %d: %s' % (url, status, msg.strip()[:300]))
        self.status = status
        self.body = body
        self.url = url
        self.headers = headers or {}  # the answer's headers, names in lower case


def split_url(url):
    """(scheme, host, port, path) of an http(s) URL; the scheme defaults to http."""
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


def _read_response(sock):
    buf = bytearray()
    end = -1
    while end < 0:
        if recv_some(sock, buf) == 0:
            if buf:
                raise OSError(71, 'not an HTTP answer: %r' % bytes(buf[:60]))
            raise OSError(104, 'connection closed before the answer')
        end = buf.find(b'\r\n\r\n')
        if end > 65536:
            raise OSError(71, 'answer head too long')
    lines = bytes(buf[:end]).decode('utf-8', 'replace').split('\r\n')
    first = lines[0].split(' ')
    if len(first) < 2 or first[0][:5] != 'HTTP/' or not first[1].isdigit():
        raise OSError(71, 'not an HTTP answer: %r' % lines[0][:60])  # EPROTO
    status = int(first[1])
    headers = {}
    for line in lines[1:]:
        c = line.find(':')
        if c > 0:
            headers[line[:c].strip().lower()] = line[c + 1:].strip()
    body = buf[end + 4:]
    if headers.get('transfer-encoding', '').lower() == 'chunked':
        out = bytearray()
        while True:
            while body.find(b'\r\n') < 0:
                if recv_some(sock, body) == 0:
                    raise OSError(104, 'connection closed mid-answer')
            nl = body.find(b'\r\n')
            n = int(bytes(body[:nl]).split(b';')[0], 16)
            while len(body) < nl + 4 + n and n:
                if recv_some(sock, body) == 0:
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
            if recv_some(sock, body) == 0:
                raise OSError(104, 'connection closed mid-answer')
        return status, headers, bytes(body[:n])
    while recv_some(sock, body):  # no length: until the server closes
        pass
    return status, headers, bytes(body)


def request(url, method='GET', headers=(), body=b'', timeout=30, net=None):
    """One HTTP/1.1 request; returns (status, headers, body) or raises PushError (non-2xx)
    or OSError. body is bytes, a function taking write(str) that is sent chunked, or
    (length, function taking send(bytes-like)) that sends exactly length bytes."""
    scheme, host, port, path = split_url(url)
    net = net or NET or Net()
    sock = net.connect(host, port, timeout)
    try:
        if scheme == 'https':
            sock = _tls(sock, host)
        name = '[%s]' % host if ':' in host else host  # an IPv6 address in brackets
        head = '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n' % (
            method, path, name if port in (80, 443) else '%s:%d' % (name, port))
        if not [1 for k, v in headers if k.lower() == 'user-agent']:
            head += 'User-Agent: prometheus_express\r\n'
        for k, v in headers:
            head += '%s: %s\r\n' % (k, v.decode() if isinstance(v, bytes) else v)
        if callable(body):
            send_all(sock, (head + 'Transfer-Encoding: chunked\r\n\r\n').encode('utf-8'))
            out = ChunkWriter(lambda d: send_all(sock, d), 1460, True)
            body(out.write)
            out.flush()
            send_all(sock, b'0\r\n\r\n')
        elif isinstance(body, tuple):
            send_all(sock, (head + 'Content-Length: %d\r\n\r\n' % body[0]).encode('utf-8'))
            body[1](lambda d: send_all(sock, d))
        else:
            data = (head + 'Content-Length: %d\r\n\r\n' % len(body)).encode('utf-8')
            send_all(sock, data + body if len(body) < 4096 else data)
            if len(body) >= 4096:
                send_all(sock, body)
        status, rheaders, rbody = _read_response(sock)
    finally:
        try:
            sock.close()
        except Exception:
            pass
    if not 200 <= status < 300:
        raise PushError(status, rbody, url, rheaders)
    return status, rheaders, rbody


def _tls(sock, host):
    import ssl
    if hasattr(ssl, 'create_default_context'):
        return ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    return ssl.wrap_socket(sock, server_hostname=host)


def _b64(data):
    try:
        from binascii import b2a_base64
    except ImportError:
        from ubinascii import b2a_base64
    return b2a_base64(data).strip().decode()


_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'


def quote_plus(s):
    out = []
    for b in s.encode('utf-8'):
        c = chr(b)
        out.append(c if c in _SAFE else '+' if c == ' ' else '%%%02X' % b)
    return ''.join(out)


def _escape_grouping_key(k, v):
    if v == '':
        return k + '@base64', '='
    if '/' in v or ' ' in v:
        return k + '@base64', _b64(v.encode('utf-8')).replace('+', '-').replace('/', '_')
    return k, quote_plus(v)


def gateway_url(gateway, job, grouping_key=None):
    """The URL upstream builds: scheme added if missing, /metrics/job/<job>{/<k>/<v>}."""
    i = gateway.find('://')
    if i >= 0 and gateway[:i].lower() not in ('http', 'https'):
        raise ValueError('Unsupported URL scheme: %s (a gateway is http:// or https://)'
                         % gateway[:i])
    if i < 0:
        gateway = 'http://' + gateway
    url = gateway.rstrip('/') + '/metrics/%s/%s' % _escape_grouping_key('job', job)
    for k in sorted(grouping_key or {}):
        url += '/%s/%s' % _escape_grouping_key(str(k), str(grouping_key[k]))
    return url


def default_handler(url, method, timeout, headers, data):
    """The handler protocol: returns a function that makes the request (raises on failure)."""
    def handle():
        request(url, method, headers, data, timeout if timeout is not None else 30)
    return handle


def basic_auth_handler(url, method, timeout, headers, data, username=None, password=None):
    """default_handler with HTTP basic auth (bind username/password with a lambda)."""
    def handle():
        h = list(headers)
        if username is not None and password is not None:
            h.append(('Authorization',
                      'Basic ' + _b64(('%s:%s' % (username, password)).encode('utf-8'))))
        default_handler(url, method, timeout, h, data)()
    return handle


def _compress(data, compression, headers):
    """The body compressed as asked ('gzip', or 'snappy' with the python-snappy package)."""
    c = compression.lower()
    if c == 'gzip':
        from ._gzip import compressor
        z = compressor()
        if z is None:
            raise ValueError('gzip compression is not available on this runtime')
        headers.append(('Content-Encoding', 'gzip'))
        return z.compress(data) + z.flush()
    if c == 'snappy':
        try:
            import snappy
        except ImportError:
            raise RuntimeError('Snappy compression requires the python-snappy package to be '
                               'installed.')
        headers.append(('Content-Encoding', 'snappy'))
        z = snappy.StreamCompressor()
        out = z.compress(data)
        return out + z.flush() if callable(getattr(z, 'flush', None)) else out
    raise ValueError('Unsupported compression type: %s' % compression)


def _use_gateway(method, gateway, job, registry, grouping_key, timeout, handler,
                 compression=None):
    url = gateway_url(gateway, job, grouping_key)
    headers = [('Content-Type', CONTENT_TYPE_PLAIN_0_0_4)]
    if compression is not None and method == 'DELETE':
        raise ValueError('Compression is not supported for DELETE requests.')
    if compression is not None and compression.lower() not in ('gzip', 'snappy'):
        raise ValueError('Unsupported compression type: %s' % compression)
    reg = registry if registry is not None else REGISTRY
    if method == 'DELETE':
        data = b''
    elif handler is default_handler and not CPYTHON and compression is None:
        data = lambda w: write_text(reg, w)  # noqa: E731 - streamed (chunked) by request()
    else:
        from .exposition import generate_latest
        data = generate_latest(reg)
        if compression is not None:
            data = _compress(data, compression, headers)
    handler(url=url, method=method, timeout=timeout, headers=headers, data=data)()


def push_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                    handler=default_handler, compression=None):
    """Replace every metric of this job and grouping key on the gateway (PUT).
    compression: None, 'gzip' or 'snappy' (CPython with python-snappy)."""
    _use_gateway('PUT', gateway, job, registry, grouping_key, timeout, handler, compression)


def pushadd_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                       handler=default_handler, compression=None):
    """Replace only the metrics with the same names (POST)."""
    _use_gateway('POST', gateway, job, registry, grouping_key, timeout, handler, compression)


def delete_from_gateway(gateway, job, grouping_key=None, timeout=30, handler=default_handler):
    """Delete this job and grouping key's metrics from the gateway (DELETE)."""
    _use_gateway('DELETE', gateway, job, None, grouping_key, timeout, handler)


def instance_ip_grouping_key():
    """{'instance': this host's IP address} (a board: its station interface address)."""
    try:
        import network
        for name in ('STA_IF', 'ETH'):
            iface = getattr(network, name, None)
            if iface is not None:
                return {'instance': network.WLAN(iface).ifconfig()[0]}
    except Exception:
        pass
    try:
        import wifi
        return {'instance': str(wifi.radio.ipv4_address)}
    except Exception:
        pass
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(('localhost', 0))
        return {'instance': s.getsockname()[0]}
    finally:
        s.close()


# On boards, chunks are built by bytearray.extend(str), which copies the UTF-8 bytes without
# making a bytes object; after warm-up it allocates nothing. CPython joins a list of str and
# encodes once, which is faster there.
_EXTEND = not CPYTHON


class ChunkWriter:
    """write(str) for a streamed page: pieces gather into about `size` bytes, then
    send(bytes-like) gets them, as an HTTP chunk if chunked. Peak memory is one chunk, and on
    boards the chunk buffer is reused, so a scrape allocates little beyond the numbers.

    head: bytes sent before the first chunk. z: a zlib compressobj (gzip), CPython only."""

    def __init__(self, send, size=1460, chunked=False, head=None, z=None):
        self.send = send
        self.size = size
        self.chunked = chunked
        self.head = head
        self.z = z
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

    def flush(self, last=False):
        if _EXTEND:
            data = self.buf
        else:
            data = ''.join(self.pieces).encode('utf-8')
            self.pieces = []
            self.n = 0
        if self.z is not None:
            data = self.z.compress(data)
            if last:
                data += self.z.flush()
        if self.head is not None:
            self.send(self.head)
            self.head = None
        if len(data):
            if self.chunked:
                self.send(('%x\r\n' % len(data)).encode())
                self.send(data)
                self.send(b'\r\n')
            else:
                self.send(data)
        if _EXTEND:
            self.buf[:] = b''  # empty, keeping its allocation for the next chunk
