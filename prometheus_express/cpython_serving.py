"""The exporter's common request, answered at once on CPython (boards never load this).

Imported on: CPython only (by server.py).

A scraper sends the same request again and again (Prometheus, wrk, a dashboard's poller):
the same bytes each time. The first is parsed and answered on the general path; if it was a
plain GET of the page (no body, no query, HTTP/1.1 keep-alive, no router or auth) its bytes
are kept with the head of its answer. A later read that is exactly those bytes is answered
here: the page rendered whole (unchanged metrics' text is kept, cpython_rows.py), one send,
no parse, no answer buffer, no change of what the poller waits for. If the socket takes only
part of it, the rest goes out through the general path's cursor (conn.out), as any answer's;
anything else (another request, a half request, a failing collector, a page larger than
QUICK_MAX) goes the general way, so every limit and answer of it holds here too.
"""
from ._clock import ticks
from ._gzip import compressor, wants_gzip
from .connections import ANSWER, READ
from .exchange import Exchange
from .http import body_length, parse_head
from .http_errors import status_line
from .page import negotiate, page

QUICK_MAX = 1 << 16  # pieces (~12 bytes each); a page of more goes a buffer at a time


def _quick_form(server, data):
    """(request bytes, head of the answer up to its length, openmetrics?, escaping, gzip?)
    if data is one whole plain GET of the page, else None."""
    if server.router is not None or server.auth is not None or \
            data.find(b'\r\n\r\n') != len(data) - 4:
        return None
    try:
        req = parse_head(data)
        if body_length(req):
            return None
    except Exception:  # the general path answers it (400 & co.)
        return None
    if req.method != 'GET' or req.target not in ('/', '/metrics') or \
            req.version != 'HTTP/1.1' or not req.keep_alive:
        return None
    om, ctype, esc = negotiate(req.headers.get('accept'))
    gz = bool(server._gz) and wants_gzip(req.headers.get('accept-encoding'))
    # (the head answer.answer() writes for a page; not shared through a function of
    # answer.py: boards load that module, and one more function there cost the 400-series
    # near-capacity case on circuitpython-board its scrapes)
    head = '%sContent-Type: %s\r\nConnection: keep-alive\r\n%sContent-Length: ' % (
        status_line('HTTP/1.1', 200), ctype,
        'Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n' if gz else '')
    return bytes(data), head.encode('utf-8'), om, esc, gz


def _body(server, q):
    """The page's bytes for the request form q, or None where the general path answers it:
    a page of more than QUICK_MAX pieces (a buffer at a time), a failing collector (its
    500), no memory (its 503)."""
    pieces = []
    try:
        for _ in page(server.registry, pieces.append, q[2], pieces, QUICK_MAX, q[3]):
            return None
        body = ''.join(pieces).encode('utf-8')
    except Exception:
        return None
    if q[4]:
        z = compressor()
        body = z.compress(body) + z.flush()
    return body


def readable(self, conn):
    """MetricsServer._readable on CPython: the common request answered at once, anything
    else read and answered as on every runtime (exchange.py)."""
    if conn.inb or conn.state != READ or conn.req is not None or self._stopped or \
            not getattr(self.net, 'native', False):  # (a socketpool's socket may lack recv)
        return Exchange._readable(self, conn)
    try:
        data = conn.sock.recv(4096)
    except Exception as e:
        self._failed(conn, e)
        return
    if not data:
        self._drop(conn)  # the peer closed
        return
    q = self._quick
    if q is None or data != q[0]:
        q = _quick_form(self, data)
        if q is not None:
            self._quick = q
    body = _body(self, q) if q is not None else None
    if body is None:  # the general path: parsed, answered a buffer at a time
        conn.inb.extend(data)
        self._request(conn)
        return
    out = b'%s%d\r\n\r\n%s' % (q[1], len(body), body)
    try:
        k = conn.sock.send(out)
    except Exception as e:
        self._failed(conn, e)
        return
    conn.t0 = ticks()
    if k == len(out):
        self._count(200)
        conn.served += 1
        return
    conn.out = memoryview(out)[k:]  # the rest as the socket takes it (answering.py)
    conn.status = 200
    conn.keep = True
    conn.begun = True
    conn.moved = conn.t0
    conn.state = ANSWER
    self._waits_out(conn)
