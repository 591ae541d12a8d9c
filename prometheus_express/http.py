"""HTTP/1.1 for the exporter, without sockets: the request parser with hard limits, content
negotiation, and the answer writer (a generator of byte chunks that a server sends as the
socket takes them). Routes of your own and auth are in routing.py.

Imported on: CPython, MicroPython, CircuitPython (by server.py and aio.py).
"""
from ._format import CPYTHON

REASONS = {200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
           403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
           408: 'Request Timeout', 413: 'Content Too Large', 414: 'URI Too Long',
           431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
           503: 'Service Unavailable', 505: 'HTTP Version Not Supported'}

_PLAIN = 'text/plain; version=0.0.4; charset=utf-8'
_PLAIN_1 = 'text/plain; version=1.0.0; charset=utf-8'
_OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

MAX_LINE = 2048                        # request line bytes
MAX_HEAD = 8192 if CPYTHON else 2048   # request line + headers bytes
MAX_HEADERS = 64                       # header count
MAX_BODY = 16384 if CPYTHON else 1024  # request body bytes


def __getattr__(name):  # Router, basic_auth... were here before routing.py
    if name.startswith('__'):
        raise AttributeError(name)
    return getattr(__import__('prometheus_express.routing', None, None, ['x']), name)


class HTTPError(Exception):
    def __init__(self, status, message=''):
        super().__init__(status, message)
        self.status = status
        self.message = message or REASONS.get(status, 'Error')


def unquote(s):
    """Percent-decoding (and '+' as space) for query strings, without urllib."""
    if '%' not in s and '+' not in s:
        return s
    b = s.replace('+', ' ').encode('utf-8')
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c == 37 and i + 2 < n:
            try:
                out.append(int(b[i + 1:i + 3].decode(), 16))
                i += 3
                continue
            except ValueError:
                pass
        out.append(c)
        i += 1
    try:
        return out.decode('utf-8')
    except UnicodeError:
        raise HTTPError(400, 'Bad percent-encoding')


def _token(s):
    if not s:
        return False
    for c in s:
        if c <= ' ' or c >= '\x7f' or c in '()<>@,;:\\"/[]?={}':
            return False
    return True


class Request:
    def header(self, name, default=None):
        return self.headers.get(name, default)

    def args(self, name):
        """Every value given for a query parameter, in order."""
        return [v for k, v in self.query if k == name]

    @property
    def keep_alive(self):
        conn = self.headers.get('connection', '').lower()
        if self.version == 'HTTP/1.0':
            return 'keep-alive' in conn
        return 'close' not in conn


def find_head_end(buf):
    """Index just past the blank line ending the head, or -1 (raises on oversize)."""
    end = buf.find(b'\r\n\r\n')
    if end < 0 and len(buf) <= MAX_HEAD:
        return -1
    if end < 0 or end + 4 > MAX_HEAD:
        line_end = buf.find(b'\r\n')
        raise HTTPError(414 if line_end < 0 or line_end > MAX_LINE else 431)
    return end + 4


def _text(head):
    try:
        return bytes(head).decode('utf-8')
    except UnicodeError:  # obs-text (Latin-1 bytes) in a header value: keep them as '?'
        return bytes([c if c < 128 else 63 for c in head]).decode()


def parse_head(head):
    """Parse the bytes of a request head (ending in CRLF CRLF) into a Request."""
    lines = _text(head).split('\r\n')
    if len(lines[0]) > MAX_LINE:
        raise HTTPError(414)
    parts = lines[0].split(' ')
    if len(parts) != 3 or not _token(parts[0]) or not parts[1]:
        raise HTTPError(400, 'Malformed request line')
    method, target, version = parts
    if len(version) != 8 or not version.startswith('HTTP/') or version[6] != '.' or \
            not ('0' <= version[5] <= '9' and '0' <= version[7] <= '9'):
        raise HTTPError(400, 'Malformed request line')
    if version[5] != '1':
        raise HTTPError(505 if version[5] > '1' else 400)
    if version != 'HTTP/1.0':
        version = 'HTTP/1.1'  # any later 1.x is answered as 1.1 (RFC 9110 section 6.2)
    headers = {}
    count = 0
    for line in lines[1:]:
        if not line:
            continue
        count += 1
        if count > MAX_HEADERS:
            raise HTTPError(431)
        colon = line.find(':')
        name = line[:colon]
        if colon <= 0 or not _token(name):
            raise HTTPError(400, 'Malformed header')
        value = line[colon + 1:].strip()
        for c in value:
            if c < ' ' and c != '\t' or c == '\x7f':
                raise HTTPError(400, 'Control character in a header value')
        name = name.lower()
        headers[name] = headers[name] + ', ' + value if name in headers else value
    if version == 'HTTP/1.1' and 'host' not in headers:
        raise HTTPError(400, 'Missing Host header')
    if target[0] != '/':
        if target.startswith('http://') or target.startswith('https://'):
            slash = target.find('/', target.find('//') + 2)
            target = target[slash:] if slash > 0 else '/'
        elif target != '*':
            raise HTTPError(400, 'Malformed request target')
    r = Request()
    r.method = method
    r.target = target
    r.version = version
    r.headers = headers
    r.body = b''
    q = target.find('?')
    r.path = unquote(target if q < 0 else target[:q])
    r.query = []
    if q >= 0:
        for part in target[q + 1:].split('&'):
            if part:
                eq = part.find('=')
                k, v = (part, '') if eq < 0 else (part[:eq], part[eq + 1:])
                r.query.append((unquote(k), unquote(v)))
    return r


def body_length(req):
    """Bytes of body to read for req (Content-Length), or raise 400/413."""
    if 'transfer-encoding' in req.headers:
        raise HTTPError(400, 'Chunked request bodies are not supported')
    cl = req.headers.get('content-length')
    if cl is None:
        return 0
    if not cl or [c for c in cl if not '0' <= c <= '9'] or len(cl) > 9:
        raise HTTPError(400 if not cl or [c for c in cl if not '0' <= c <= '9'] else 413,
                        'Bad Content-Length' if len(cl) <= 9 else '')
    n = int(cl)
    if n > MAX_BODY:
        raise HTTPError(413)
    return n


def _q(params):
    """The q value of an Accept or Accept-Encoding entry's parameters (1.0 if none)."""
    for p in params:
        p = p.strip()
        if p[:2].lower() == 'q=':
            try:
                return float(p[2:])
            except ValueError:
                return 0.0
    return 1.0


def wants_gzip(header):
    """True if an Accept-Encoding header allows gzip (q above zero, any letter case)."""
    for entry in (header or '').split(','):
        toks = entry.split(';')
        coding = toks[0].strip().lower()
        if coding in ('gzip', 'x-gzip', '*'):
            return _q(toks[1:]) > 0
    return False


def _param(toks, key):
    for t in toks[1:]:
        if '=' in t:
            k, v = t.strip().split('=', 1)
            if k == key:
                return v
    return ''


def _version(v):
    try:
        return tuple([int(x) for x in v.split('.')])
    except ValueError:
        return ()


def negotiate(accept_header):
    """(openmetrics?, content type) for an Accept header, as prometheus_client chooses."""
    for accepted in (accept_header or '').split(','):
        toks = accepted.split(';')
        mime = toks[0].strip()
        if mime == 'application/openmetrics-text':
            v = _param(toks, 'version')
            if not v:
                return True, _OM
            if _version(v) >= (1, 0, 0):
                return True, ('application/openmetrics-text; version=%s; charset=utf-8; '
                              'escaping=underscores' % v)
        elif mime == 'text/plain':
            v = _param(toks, 'version')
            if v and _version(v) >= (1, 0, 0):
                return False, _PLAIN_1 + '; escaping=underscores'
    return False, _PLAIN


def choose_encoder(accept_header):
    """(encoder, content type) as prometheus_client.exposition.choose_encoder returns."""
    from .exposition import generate_latest, generate_openmetrics
    om, ctype = negotiate(accept_header)
    return (generate_openmetrics if om else generate_latest), ctype


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


def error_response(status, message=None, headers=None):
    return Response((message or REASONS.get(status, 'Error')) + '\n', status, headers=headers)


def metrics_response(req, registry):
    """The page for a scrape: negotiated format, ?name[]= filtering; streamed."""
    from .exposition import page
    om, ctype = negotiate(req.headers.get('accept'))
    names = [n for n in req.args('name[]') if n]
    reg = registry.restricted_registry(names) if names else registry
    return Response(lambda w, o, lim: page(reg, w, om, o, lim), 200, ctype)


def metrics_handler(registry):
    """A route handler (for a Router) that serves registry's page."""
    return lambda req: metrics_response(req, registry)


def dispatch(req, registry, auth):
    """The exporter's own answer when no Router is given: the page on / and /metrics."""
    if req.path not in ('/', '/metrics'):
        return error_response(404)
    if req.method == 'OPTIONS':
        return Response(b'', 204, headers=[('Allow', 'GET, HEAD, OPTIONS')])
    if req.method not in ('GET', 'HEAD'):
        return error_response(405, headers=[('Allow', 'GET, HEAD, OPTIONS')])
    if auth is not None and not auth(req):
        return error_response(401, headers=[('WWW-Authenticate', auth.challenge)])
    return metrics_response(req, registry)


def status_line(version, status):
    return '%s %d %s\r\n' % (version, status, REASONS.get(status, 'Unknown'))


def error_bytes(status, headers=None, message=None):
    """A whole error answer that closes the connection."""
    r = error_response(status, message, headers)
    head = status_line('HTTP/1.1', status) + 'Content-Type: text/plain; charset=utf-8\r\n'
    for k, v in r.headers:
        head += k + ': ' + v + '\r\n'
    body = r.body.encode('utf-8')
    head += 'Connection: close\r\nContent-Length: %d\r\n\r\n' % len(body)
    return head.encode('utf-8') + body


RESERVE = 256  # bytes kept free at the start of an answer buffer for the status and headers


def new_buffer(size):
    """An answer buffer: RESERVE bytes of room for the head, then space for `size` bytes of
    body allocated now (it is reused for every answer: a board allocates it once)."""
    buf = bytearray(RESERVE + size + 160)
    buf[RESERVE:] = b''
    return buf


def _place(buf, pre):
    """Put bytes pre just before the body in buf; the start index of the whole, or -1 if it
    does not fit there."""
    n = len(pre)
    if n > RESERVE:
        return -1
    buf[RESERVE - n:RESERVE] = pre
    return RESERVE - n


def answer(req, resp, keep, buf, size, z=None):
    """Generator: the answer to req as chunks of bytes (memoryviews of buf, each valid until
    the generator is resumed). A page body is rendered as it is sent: one buffer of it at a
    time. If the page fits in one buffer it goes with a Content-Length, else in HTTP/1.1
    chunks (HTTP/1.0: until the connection closes). z: a gzip compressor, or None."""
    head = status_line('HTTP/1.1', resp.status) + 'Content-Type: ' + resp.content_type + '\r\n'
    for k, v in resp.headers:
        head += k + ': ' + v + '\r\n'
    conn = 'Connection: %s\r\n' % ('keep-alive' if keep else 'close')
    body = resp.body
    buf[RESERVE:] = b''
    if not callable(body):
        if body.__class__ is str:
            body = body.encode('utf-8')
        pre = (head + conn + 'Content-Length: %d\r\n\r\n' % len(body)).encode('utf-8')
        if req.method == 'HEAD':
            yield pre
        elif len(body) <= size and _place(buf, pre) >= 0:
            buf.extend(body)
            yield memoryview(buf)[RESERVE - len(pre):]
        else:
            yield pre
            yield body
        return
    if z is not None:
        head += 'Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n'
    chunked = req.version == 'HTTP/1.1'
    if req.method == 'HEAD':  # the head a GET would get, when the length is not known yet
        yield (head + conn + ('Transfer-Encoding: chunked\r\n\r\n' if chunked else '\r\n')
               ).encode('utf-8')
        return
    if CPYTHON:  # CPython joins str pieces and encodes once: faster there
        pieces = []
        rows = body(pieces.append, pieces, max(size // 32, 8))  # ~32 bytes a piece
    else:  # a board's bytearray takes str directly: no copy of each piece
        rows = body(buf.extend, buf, RESERVE + size)
    first = True
    more = True
    while more:
        more = False
        try:
            for _ in rows:
                more = True
                break
        except Exception:
            if not first:
                raise  # the head went out: the connection is dropped mid-page
            yield error_bytes(500)
            raise
        if CPYTHON:
            buf.extend(''.join(pieces).encode('utf-8'))
            pieces.clear()
        if z is not None:
            data = z.compress(bytes(buf[RESERVE:]))
            if not more:
                data += z.flush()
            buf[RESERVE:] = b''
            buf.extend(data)
        n = len(buf) - RESERVE
        if first and not more:  # the whole page in one buffer: send it with its length
            pre = head + conn + 'Content-Length: %d\r\n\r\n' % n
        else:
            pre = ''
            if first:
                pre = head + conn + ('Transfer-Encoding: chunked\r\n\r\n' if chunked else '\r\n')
            if chunked:
                if n:
                    pre += '%x\r\n' % n
                    buf.extend(b'\r\n')
                if not more:
                    buf.extend(b'0\r\n\r\n')
            if not pre and not n and more:
                continue  # gzip had nothing to say yet
        first = False
        pre = pre.encode('utf-8')
        at = _place(buf, pre)
        if at < 0:
            yield pre
            at = RESERVE
        yield memoryview(buf)[at:]
        buf[RESERVE:] = b''
