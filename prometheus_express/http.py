"""HTTP/1.1 for the exporter, without sockets: the request parser with hard limits, content
negotiation, and the answer writer (a generator of byte chunks that a server sends as the
socket takes them). Routes of your own and auth are in routing.py, query strings in
_query.py: both load only when used.

Imported on: CPython, MicroPython, CircuitPython (by server.py and aio.py).
"""
from ._format import CPYTHON
from .page import negotiate, page
from .http_errors import HTTPError, error_bytes, reason, status_line

MAX_LINE = 2048                        # request line bytes
MAX_HEAD = 8192 if CPYTHON else 2048   # request line + headers bytes
MAX_HEADERS = 64                       # header count
MAX_BODY = 16384 if CPYTHON else 1024  # request body bytes
RESERVE = 256  # bytes kept free at the start of an answer buffer for the status and headers


class Request:
    """method, target, path, version ('HTTP/1.0' or 'HTTP/1.1'), headers (lower-case names),
    query [(name, value)], body; keep_alive."""
    query = ()

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def args(self, name):
        """Every value given for a query parameter, in order."""
        return [v for k, v in self.query if k == name]


def find_head_end(buf):
    """Index just past the blank line ending the head, or -1 (raises on oversize)."""
    end = buf.find(b'\r\n\r\n')
    if end < 0 and len(buf) <= MAX_HEAD:
        return -1
    if end < 0 or end + 4 > MAX_HEAD:
        line_end = buf.find(b'\r\n')
        raise HTTPError(414 if line_end < 0 or line_end > MAX_LINE else 431)
    return end + 4


def _token(s):
    for c in s:
        if c <= ' ' or c >= '\x7f' or c in '()<>@,;:\\"/[]?={}':
            return False
    return bool(s)


def parse_head(head):
    """Parse the bytes of a request head (ending in CRLF CRLF) into a Request."""
    try:
        text = bytes(head).decode('utf-8')
    except UnicodeError:  # obs-text (Latin-1 bytes) in a header value: kept as '?'
        text = bytes([c if c < 128 else 63 for c in head]).decode()
    lines = text.split('\r\n')
    if len(lines[0]) > MAX_LINE:
        raise HTTPError(414)
    parts = lines[0].split(' ')
    v = parts[-1]
    if len(parts) != 3 or not _token(parts[0]) or not parts[1] or len(v) != 8 or \
            v[:5] != 'HTTP/' or v[6] != '.' or not (v[5] + v[7]).isdigit():
        raise HTTPError(400, 'Malformed request line')
    if v[5] != '1':
        raise HTTPError(505 if v[5] > '1' else 400)
    r = Request()
    r.method, target = parts[0], parts[1]
    r.version = v = 'HTTP/1.0' if v == 'HTTP/1.0' else 'HTTP/1.1'  # later 1.x: as 1.1
    r.headers = h = {}
    if len(lines) > MAX_HEADERS + 3:
        raise HTTPError(431)
    for line in lines[1:]:
        if line:
            colon = line.find(':')
            name = line[:colon]
            value = line[colon + 1:].strip()
            if colon <= 0 or not _token(name) or [c for c in value if c < ' ' and c != '\t'
                                                 or c == '\x7f']:
                raise HTTPError(400, 'Malformed header')
            name = name.lower()
            if name in h:
                if name == 'host':  # RFC 9112 3.2: one Host, or 400
                    raise HTTPError(400, 'Duplicate Host header')
                value = h[name] + ', ' + value
            h[name] = value
    if v == 'HTTP/1.1' and 'host' not in h:
        raise HTTPError(400, 'Missing Host header')
    if target[0] != '/' and target != '*':
        if target[:7] != 'http://' and target[:8] != 'https://':
            raise HTTPError(400, 'Malformed request target')
        slash = target.find('/', target.find('//') + 2)  # absolute-form: keep the path
        target = target[slash:] if slash > 0 else '/'
    r.target = r.path = target
    q = target.find('?')
    if q >= 0 or '%' in target:
        from ._query import split_target  # extension: query strings
        split_target(r)
    conn = h.get('connection', '').lower()
    r.keep_alive = 'keep-alive' in conn if v == 'HTTP/1.0' else 'close' not in conn
    r.body = b''
    return r


def body_length(req):
    """Bytes of body to read for req (Content-Length), or raise 400/413."""
    if 'transfer-encoding' in req.headers:
        raise HTTPError(400, 'Chunked request bodies are not supported')
    cl = req.headers.get('content-length', '0')
    if not cl.isdigit() or [c for c in cl if c > '9']:  # no '+', '_', or other digits
        raise HTTPError(400, 'Bad Content-Length')
    if len(cl) > 9 or int(cl) > MAX_BODY:
        raise HTTPError(413)
    return int(cl)


class Response:
    """status, content type, body (str, bytes, or a page: a generator function called with
    write(str), the object write fills and a length; it yields whenever that object's
    length reached the limit) and extra headers as a list of (name, value)."""

    def __init__(self, body=b'', status=200, content_type='text/plain; charset=utf-8',
                 headers=None):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers = headers or []


def metrics_response(req, registry):
    """The page for a scrape: negotiated format, ?name[]= filtering; streamed."""
    om, ctype, esc = negotiate(req.headers.get('accept'))
    names = [n for n in req.args('name[]') if n]
    reg = registry.restricted_registry(names) if names else registry
    return Response(lambda w, o, lim: page(reg, w, om, o, lim, esc), 200, ctype)


def dispatch(req, registry, auth):
    """The exporter's own answer when no Router is given: the page on / and /metrics."""
    if req.path in ('/', '/metrics') and req.method in ('GET', 'HEAD') and \
            (auth is None or auth(req)):
        return metrics_response(req, registry)
    return refusal(req, auth)


_ALLOW = [('Allow', 'GET, HEAD, OPTIONS')]


def error_response(status, message=None, headers=None):
    return Response((message or reason(status)) + '\n', status, headers=headers)


def refusal(req, auth):
    """What the exporter answers when it does not serve the page (no Router given)."""
    if req.path not in ('/', '/metrics'):
        return error_response(404)
    if req.method == 'OPTIONS':
        return Response(b'', 204, headers=_ALLOW)
    if req.method not in ('GET', 'HEAD'):
        return error_response(405, headers=_ALLOW)
    return error_response(401, headers=[('WWW-Authenticate', auth.challenge)])


def new_buffer(size):
    """An answer buffer: RESERVE bytes of room for the head, then space for `size` bytes of
    body and as much again (512 at most), allocated now (it is reused for every answer: a
    board allocates it once). A page stops filling it at `size`, after the line or header
    that crossed it: the room after `size` takes that overshoot and the chunk framing
    without the buffer having to grow (which needs a larger contiguous block than a
    fragmented heap may have; a longer line still fits, by growing it)."""
    buf = bytearray(RESERVE + size + min(size * 2, 512))
    buf[RESERVE:] = b''
    return buf


def answer(req, resp, keep, buf, size, z=None):
    """Generator: the answer to req as chunks of bytes (memoryviews of buf, each valid until
    the generator is resumed). A page body is rendered as it is sent: one buffer of it at a
    time. If the page fits in one buffer it goes with a Content-Length, else in HTTP/1.1
    chunks (HTTP/1.0: until the connection closes). z: a gzip compressor, or None."""
    head = '%sContent-Type: %s\r\n' % (status_line('HTTP/1.1', resp.status), resp.content_type)
    for k, v in resp.headers:
        head += k + ': ' + v + '\r\n'
    head += 'Connection: %s\r\n' % ('keep-alive' if keep else 'close')
    body = resp.body
    buf[RESERVE:] = b''
    if z is not None:
        head += 'Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n'
    rows = pieces = None
    chunked = first = more = False
    if not callable(body):
        if body.__class__ is str:
            body = body.encode('utf-8')
        buf.extend(body)
    else:
        chunked = req.version == 'HTTP/1.1'
        if req.method == 'HEAD':  # the head a GET would get, when the length is not known yet
            yield (head + ('Transfer-Encoding: chunked\r\n\r\n' if chunked else '\r\n')
                   ).encode('utf-8')
            return
        if CPYTHON:  # CPython joins str pieces and encodes once: faster there
            pieces = []
            rows = body(pieces.append, pieces, max(size // 12, 8))  # ~12 bytes a piece
        else:  # a board's bytearray takes str directly: no copy of each piece
            rows = body(buf.extend, buf, RESERVE + size)
        first = more = True
    try:
        yield from _frames(req, head, buf, z, rows, pieces, first, more, chunked,
                           resp.status)
    finally:
        if rows is not None:
            rows.close()  # a page left half-written lets its metrics know


def _frames(req, head, buf, z, rows, pieces, first, more, chunked, status):
    """answer()'s loop: fill buf from rows (a page) if any, frame it, hand it out."""
    while True:
        if first:
            try:
                more = False
                for _ in rows:
                    more = True
                    break
            except MemoryError:
                raise  # (the server answers its pre-made 503: nothing can be made now)
            except Exception:
                if first < 2:  # nothing went out yet: a clean 500
                    yield error_bytes(500)
                raise  # else the connection is dropped mid-page
            if CPYTHON:
                buf.extend(''.join(pieces).encode('utf-8'))
                pieces.clear()
            if z is not None:
                data = z.compress(bytes(buf[RESERVE:]))
                buf[RESERVE:] = data + z.flush() if not more else data
        n = len(buf) - RESERVE
        if first == 2 or more:  # streaming: chunks (or the rest of an HTTP/1.0 answer)
            pre = ''
            if first == 1:
                pre = head + ('Transfer-Encoding: chunked\r\n\r\n' if chunked else '\r\n')
            if chunked:
                if n:
                    pre += '%x\r\n' % n
                    buf.extend(b'\r\n')
                if not more:
                    buf.extend(b'0\r\n\r\n')
            if not pre and not n and more:
                continue  # gzip had nothing to say yet
            first = 2
        elif status == 204:  # no body, and no Content-Length either (RFC 9110 8.6)
            pre = head + '\r\n'
        else:  # the whole body in one buffer: with its length
            pre = head + 'Content-Length: %d\r\n\r\n' % n
            if req.method == 'HEAD':
                buf[RESERVE:] = b''
        pre = pre.encode('utf-8')
        at = RESERVE - len(pre)
        if at < 0:
            yield pre
            at = RESERVE
        else:
            buf[at:RESERVE] = pre
        yield memoryview(buf)[at:]
        buf[RESERVE:] = b''
        if not more:
            return
