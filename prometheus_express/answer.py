# The exporter's answer to a request: which (when no Router is given, the page on / and
# /metrics: negotiated format, ?name[]= filtering, streamed; else 404, 405, 401 or 204 for
# OPTIONS) and how it is framed: a generator of byte chunks a server sends as the socket takes
# them, a page rendered one buffer at a time (with its length when it fits in one buffer, else
# in HTTP/1.1 chunks), gzip-compressed if asked.
#
# Imported on: CPython, MicroPython, CircuitPython (by the servers).
from ._format import CPYTHON
from .http import Response
from .page import negotiate, page

RESERVE = 256  # bytes kept free at the start of an answer buffer for the status and headers


def metrics_response(req, registry):
    # The page for a scrape: negotiated format, ?name[]= filtering; streamed. A request kept
    # for its bytes (exchange.py) keeps it, with its head (answer() below): a scraper's next
    # scrape makes nothing new (a view, made for ?name[]=, is made anew each time).
    if req.resp is not None:
        return req.resp
    om, ctype, esc = negotiate(req.headers.get('accept'))
    names = req.args('name[]')
    while '' in names:  # (an empty name[]= filters nothing)
        names.remove('')
    reg = registry.restricted_registry(names) if names else registry
    resp = Response(lambda w, o, lim: page(reg, w, om, o, lim, esc), 200, ctype)
    if not names and req.head is not None:
        req.resp = resp
    return resp


def dispatch(req, registry, auth):
    # The exporter's own answer when no Router is given: the page on / and /metrics.
    if req.path in ('/', '/metrics') and req.method in ('GET', 'HEAD') and \
            (auth is None or auth(req)):
        return metrics_response(req, registry)
    from .http_errors import refusal  # extension: error answers
    return refusal(req, auth)


def new_buffer(size):
    # An answer buffer: RESERVE bytes of room for the head, then space for `size` bytes of
    # body and as much again (512 at most), allocated now (it is reused for every answer: a
    # board allocates it once). A page stops filling it at `size`, after the line or header
    # that crossed it: the room after `size` takes that overshoot and the chunk framing
    # without the buffer having to grow (which needs a larger contiguous block than a
    # fragmented heap may have; a longer line still fits, by growing it).
    buf = bytearray(RESERVE + size + min(size * 2, 512))
    buf[RESERVE:] = b''
    return buf


def _status(status):
    from .http_errors import status_line  # extension: error answers (and routes' statuses)
    return status_line('HTTP/1.1', status)


def answer(req, resp, keep, buf, size, z=None):
    # Generator: the answer to req as chunks of bytes (memoryviews of buf, each valid until
    # the generator is resumed). A page body is rendered as it is sent: one buffer of it at a
    # time. If the page fits in one buffer it goes with a Content-Length, else in HTTP/1.1
    # chunks (HTTP/1.0: until the connection closes). z: a gzip compressor, or None.
    kept = keep and z is None and resp is req.resp  # the page's Response a request keeps
    head = resp.head if kept else None  # (and its keep-alive head with it)
    if head is None:
        extra = ''
        for k, v in resp.headers:
            extra += k + ': ' + v + '\r\n'
        head = ('%sContent-Type: %s\r\n%sConnection: %s\r\n%s' % (
            'HTTP/1.1 200 OK\r\n' if resp.status == 200 else _status(resp.status),
            resp.content_type, extra,
            'keep-alive' if keep else 'close',
            'Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n' if z is not None else '')
            ).encode('utf-8')
        if kept:
            resp.head = head
    body = resp.body
    buf[RESERVE:] = b''
    rows = pieces = None
    chunked = first = more = False
    if not callable(body):
        if body.__class__ is str:
            body = body.encode('utf-8')
        buf.extend(body)
    else:
        chunked = req.version == 'HTTP/1.1'
        if req.method == 'HEAD':  # the head a GET would get, when the length is not known yet
            yield head + (b'Transfer-Encoding: chunked\r\n\r\n' if chunked else b'\r\n')
            return
        if CPYTHON:  # CPython joins str pieces and encodes once: faster there
            pieces = []
            rows = body(pieces.append, pieces, max(size // 12, 8))  # ~12 bytes a piece
        else:  # a board's bytearray takes str directly: no copy of each piece
            rows = body(buf.extend, buf, RESERVE + size)
        first = more = True
    try:  # fill buf from rows (a page) if any, frame it, hand it out
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
                        from .http_errors import error_bytes  # extension: error answers
                        yield error_bytes(500)
                    raise  # else the connection is dropped mid-page
                if CPYTHON:
                    buf.extend(''.join(pieces).encode('utf-8'))
                    pieces.clear()
                if z is not None:
                    data = z.compress(bytes(buf[RESERVE:]))
                    buf[RESERVE:] = data + z.flush() if not more else data
            n = len(buf) - RESERVE
            lead = None  # the head, when it goes before pre
            if first == 2 or more:  # streaming: chunks (or the rest of an HTTP/1.0 answer)
                pre = b''
                if first == 1:
                    pre = head + (b'Transfer-Encoding: chunked\r\n\r\n' if chunked else
                                  b'\r\n')
                if chunked:
                    if n:
                        pre += b'%x\r\n' % n
                        buf.extend(b'\r\n')
                    if not more:
                        buf.extend(b'0\r\n\r\n')
                if not pre and not n and more:
                    continue  # gzip had nothing to say yet
                first = 2
            elif resp.status == 204:  # no body, and no Content-Length either (RFC 9110 8.6)
                pre = head + b'\r\n'
            else:  # the whole body in one buffer: with its length
                lead = head
                pre = b'Content-Length: %d\r\n\r\n' % n
                if req.method == 'HEAD':
                    buf[RESERVE:] = b''
            # head and framing written in place before the body (no joined copy of them)
            at = RESERVE - len(pre) - (len(lead) if lead else 0)
            if at < 0:  # (more head than the room for it: sent on its own)
                yield lead + pre if lead else pre
                at = RESERVE
            else:
                if lead:
                    buf[at:at + len(lead)] = lead
                buf[RESERVE - len(pre):RESERVE] = pre
            yield memoryview(buf)[at:]
            buf[RESERVE:] = b''
            if not more:
                return
    finally:
        if rows is not None:
            rows.close()  # a page left half-written lets its metrics know
