# HTTP/1.1 for the exporter, without sockets: Request and the request parser with hard
# limits, HTTPError, Response, and the pre-made 503. The exporter's own answers and their
# framing are in answer.py; error answers in http_errors.py, query strings
# in _query.py, routes of your own and auth in routing.py (each loads when first used: a heap
# too full to compile it then gets the pre-made 503, and the next request tries again).
#
# Imported on: CPython, MicroPython, CircuitPython (by the servers and framework adapters).
from ._format import CPYTHON

MAX_LINE = 2048                        # request line bytes
MAX_HEAD = 8192 if CPYTHON else 2048   # request line + headers bytes
MAX_HEADERS = 64                       # header count
MAX_BODY = 16384 if CPYTHON else 1024  # request body bytes

# Made at import, sent when an answer can't be made for want of heap (nothing else can be
# made then): by both servers (answering.py, connections.py, aio.py).
OOM = (b'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 5\r\n'
       b'Connection: close\r\nContent-Length: 55\r\n\r\n'
       b'out of memory: free heap on the board, or fewer series\n')


class HTTPError(Exception):
    # A request the server answers with status (and message, if given) and then closes.

    def __init__(self, status, message=''):
        super().__init__(status, message)
        self.status = status
        self.message = message


class Request:
    # method, target, path, version ('HTTP/1.0' or 'HTTP/1.1'), headers (lower-case names),
    # query [(name, value)], body; keep_alive.
    query = ()
    head = None  # its bytes, when it is kept for them (exchange.py)
    resp = None  # then also the page's Response (answer.py)

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def args(self, name):
        # Every value given for a query parameter, in order.
        out = []
        for k, v in self.query:
            if k == name:
                out.append(v)
        return out


def find_head_end(buf):
    # Index just past the blank line ending the head, or -1 (raises on oversize).
    end = buf.find(b'\r\n\r\n')
    if end < 0 and len(buf) <= MAX_HEAD:
        return -1
    if end < 0 or end + 4 > MAX_HEAD:
        line_end = buf.find(b'\r\n')
        raise HTTPError(414 if line_end < 0 or line_end > MAX_LINE else 431)
    return end + 4


# (Checked on the UTF-8 bytes, a number each: iterating a str makes each character a name in
# the runtime's table on boards, and a character never seen before could make that table
# grow by a block of several KB while a client waits: a full heap has none.)
_SEPARATORS = b'()<>@,;:\\"/[]?={}'


def _clean(value):
    # No control characters (but tab) in a header value.
    for c in value.encode('utf-8'):
        if c < 32 and c != 9 or c == 127:
            return False
    return True


def _token(s):
    for c in s.encode('utf-8'):
        if c <= 32 or c >= 127 or c in _SEPARATORS:
            return False
    return bool(s)


def parse_head(head):
    # Parse the bytes of a request head (ending in CRLF CRLF) into a Request.
    try:
        text = bytes(head).decode('utf-8')
    except UnicodeError:  # obs-text (Latin-1 bytes) in a header value: kept as '?'
        b = bytearray(head)
        for i in range(len(b)):
            if b[i] > 127:
                b[i] = 63
        text = b.decode()
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
            if colon <= 0 or not _token(name) or not _clean(value):
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
        try:
            split_target(r)
        except UnicodeError:
            raise HTTPError(400, 'Bad percent-encoding')
    conn = h.get('connection', '').lower()
    r.keep_alive = 'keep-alive' in conn if v == 'HTTP/1.0' else 'close' not in conn
    r.body = b''
    return r


def body_length(req):
    # Bytes of body to read for req (Content-Length), or raise 400/413.
    if 'transfer-encoding' in req.headers:
        raise HTTPError(400, 'Chunked request bodies are not supported')
    cl = req.headers.get('content-length', '0')
    if not cl.isdigit() or max(cl) > '9':  # no '+', '_', or other digits
        raise HTTPError(400, 'Bad Content-Length')
    if len(cl) > 9 or int(cl) > MAX_BODY:
        raise HTTPError(413)
    return int(cl)


class Response:
    # status, content type, body (str, bytes, or a page: a generator function called with
    # write(str), the object write fills and a length; it yields whenever that object's
    # length reached the limit) and extra headers as a list of (name, value).
    head = None  # the page's Response a request keeps (answer.py): its keep-alive head

    def __init__(self, body=b'', status=200, content_type='text/plain; charset=utf-8',
                 headers=None):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers = headers or []
