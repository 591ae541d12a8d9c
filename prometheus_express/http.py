"""HTTP/1.1 request parsing with hard limits, Router, responses, auth. No sockets here.

Imported on: CPython, MicroPython, CircuitPython (by server.py and aio.py).
"""
REASONS = {200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
           403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
           408: 'Request Timeout', 413: 'Content Too Large', 414: 'URI Too Long',
           431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
           503: 'Service Unavailable', 505: 'HTTP Version Not Supported'}

_PLAIN = 'text/plain; version=0.0.4; charset=utf-8'
_PLAIN_1 = 'text/plain; version=1.0.0; charset=utf-8'
_OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

MAX_LINE = 2048       # request line bytes
MAX_HEAD = 8192       # request line + headers bytes
MAX_HEADERS = 64      # header count
MAX_BODY = 16384      # request body bytes


class HTTPError(Exception):
    def __init__(self, status, message=''):
        super().__init__(status, message)
        self.status = status
        self.message = message or REASONS.get(status, 'Error')


_HEX = '0123456789abcdefABCDEF'


def unquote(s):
    """Percent-decoding (and '+' as space) for query strings, without urllib."""
    if '%' not in s and '+' not in s:
        return s
    s = s.replace('+', ' ')
    out = bytearray()
    i = 0
    b = s.encode('utf-8')
    n = len(b)
    while i < n:
        c = b[i]
        if c == 37 and i + 2 < n and chr(b[i + 1]) in _HEX and chr(b[i + 2]) in _HEX:
            out.append(int(chr(b[i + 1]) + chr(b[i + 2]), 16))
            i += 3
        else:
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
        if c <= ' ' or c in '()<>@,;:\\"/[]?={}\x7f':
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
    if end < 0:
        if len(buf) > MAX_HEAD:
            line_end = buf.find(b'\r\n')
            raise HTTPError(414 if line_end < 0 or line_end > MAX_LINE else 431)
        return -1
    if end + 4 > MAX_HEAD:
        line_end = buf.find(b'\r\n')
        raise HTTPError(414 if line_end > MAX_LINE else 431)
    return end + 4


def parse_head(head):
    """Parse the bytes of a request head (ending in CRLF CRLF) into a Request."""
    try:
        text = bytes(head).decode('utf-8')
    except UnicodeError:
        raise HTTPError(400, 'Request head is not UTF-8')
    lines = text.split('\r\n')
    if len(lines[0]) > MAX_LINE:
        raise HTTPError(414)
    parts = lines[0].split(' ')
    if len(parts) != 3 or not _token(parts[0]) or not parts[1]:
        raise HTTPError(400, 'Malformed request line')
    method, target, version = parts
    if not version.startswith('HTTP/1.') or len(version) != 8 or version[7] not in '01':
        if version.startswith('HTTP/') and len(version) == 8 and version[5] in '23':
            raise HTTPError(505)
        raise HTTPError(400, 'Malformed request line')
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
        name = name.lower()
        value = line[colon + 1:].strip()
        headers[name] = headers[name] + ', ' + value if name in headers else value
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


_seen = {}  # the last few request heads parsed: scrapers send the same one every time


def parse_head_cached(head):
    """parse_head() for bytes head, remembering the last few heads (a copy is returned)."""
    r = _seen.get(head)
    if r is None:
        r = parse_head(head)
        if len(_seen) >= 4:
            _seen.clear()
        _seen[head] = r
    c = Request()
    c.method, c.target, c.path, c.version = r.method, r.target, r.path, r.version
    c.query, c.headers, c.body = list(r.query), dict(r.headers), b''
    return c


def body_length(req):
    """Bytes of body to read for req (Content-Length), or raise 400/413."""
    if 'transfer-encoding' in req.headers:
        raise HTTPError(400, 'Chunked request bodies are not supported')
    cl = req.headers.get('content-length')
    if cl is None:
        return 0
    try:
        n = int(cl)
    except ValueError:
        raise HTTPError(400, 'Bad Content-Length')
    if n < 0:
        raise HTTPError(400, 'Bad Content-Length')
    if n > MAX_BODY:
        raise HTTPError(413)
    return n


class Response:
    """status, content type, body (str, bytes, or a function taking write(str) that streams
    the body) and extra headers as a list of (name, value)."""

    def __init__(self, body=b'', status=200, content_type='text/plain; charset=utf-8',
                 headers=None):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers = headers or []


def error_response(status, message=None, headers=None):
    return Response((message or REASONS.get(status, 'Error')) + '\n', status, headers=headers)


def _same(a, b):
    """Constant-time comparison of two byte strings (time depends on length only)."""
    if isinstance(a, str):
        a = a.encode('utf-8')
    if isinstance(b, str):
        b = b.encode('utf-8')
    diff = len(a) ^ len(b)
    for i in range(len(a)):
        diff |= a[i] ^ b[i % len(b)] if b else 1
    return diff == 0


def _b64(data):
    try:
        import binascii
        return binascii.b2a_base64(data).strip().decode()
    except ImportError:
        import ubinascii
        return ubinascii.b2a_base64(data).strip().decode()


class _Auth:
    """An auth check: call it with a Request; .challenge is the WWW-Authenticate value.
    (A class, not a closure: MicroPython functions cannot carry attributes.)"""

    def __init__(self, expected, challenge):
        self.expected = expected
        self.challenge = challenge

    def __call__(self, req):
        return _same(req.headers.get('authorization', ''), self.expected)


def basic_auth(username, password, realm='metrics'):
    """An auth check: HTTP basic auth with this user and password."""
    return _Auth('Basic ' + _b64((username + ':' + password).encode('utf-8')),
                 'Basic realm="%s"' % realm)


def bearer_token(token, realm='metrics'):
    """An auth check: 'Authorization: Bearer <token>'."""
    return _Auth('Bearer ' + token, 'Bearer realm="%s"' % realm)


class Router:
    """Path and method routing with an optional auth check per route and middleware.

    A handler takes a Request and returns a Response, a str/bytes body, or a tuple
    (body, status) / (body, status, content_type). Middleware is fn(request, next) -> response.
    """

    def __init__(self, routes=None):
        self.routes = []        # (path, methods, handler, auth), first match wins
        self.middleware = []
        for method, path, handler in routes or ():
            self.register(method, path, handler)

    def register(self, method, path, handler, auth=None):
        """The prometheus_express 0.0.4 call order: method, path, handler."""
        self.add(path, handler, (method,), auth)

    def add(self, path, handler, methods=('GET',), auth=None):
        methods = tuple([m.upper() for m in methods])
        if 'GET' in methods and 'HEAD' not in methods:
            methods += ('HEAD',)
        self.routes.append((path, methods, handler, auth))

    def route(self, path, methods=('GET',), auth=None):
        """Decorator form of add()."""
        def deco(handler):
            self.add(path, handler, methods, auth)
            return handler
        return deco

    def use(self, fn):
        self.middleware.append(fn)
        return fn

    def dispatch(self, req):
        allowed = []
        for path, methods, handler, auth in self.routes:
            if path != req.path:
                continue
            if req.method not in methods:
                allowed.extend([m for m in methods if m not in allowed])
                continue
            if auth is not None and not auth(req):
                return error_response(401, headers=[('WWW-Authenticate', auth.challenge)])
            return self._run(req, handler, 0)
        if allowed:
            return error_response(405, headers=[('Allow', ', '.join(allowed))])
        return error_response(404)

    def _run(self, req, handler, i):
        if i < len(self.middleware):
            return as_response(self.middleware[i](req, lambda r: self._run(r, handler, i + 1)))
        return as_response(handler(req))


def as_response(r):
    if isinstance(r, Response):
        return r
    if isinstance(r, tuple):
        return Response(*r)
    return Response(r)


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



def metrics_handler(registry):
    """GET /metrics: negotiated format, ?name[]= filtering, streamed body."""
    from .exposition import write_openmetrics, write_text

    def handle(req):
        om, ctype = negotiate(req.headers.get('accept'))
        names = req.args('name[]')
        reg = registry.restricted_registry(names) if names else registry
        writer = write_openmetrics if om else write_text
        return Response(lambda w: writer(reg, w), 200, ctype)
    return handle


def status_line(version, status):
    return '%s %d %s\r\n' % (version, status, REASONS.get(status, 'Unknown'))
