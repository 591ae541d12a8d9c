# The exporter's answers off its common path: status reasons, whole error answers as bytes
# (and as Responses, for routes of your own), the refusals of requests it does not serve (404,
# 405, 401, 204 for OPTIONS), and a bad or timed-out request's answer (then the connection
# lingers: connections.linger).
#
# Imported on: CPython, MicroPython, CircuitPython: by the servers at the first such answer (a
# board that is only ever scraped never compiles it; where a full heap cannot load it, that
# client gets the pre-made 503, http.OOM, and the next one tries again), by routing.py and
# aio.py with them.
from ._clock import ticks
from .http import OOM, Response

# status: reason, one string (a board pays for every object it keeps)
_REASONS = ('204 No Content|400 Bad Request|401 Unauthorized|403 Forbidden|'
            '404 Not Found|405 Method Not Allowed|408 Request Timeout|413 Content Too Large|'
            '414 URI Too Long|431 Request Header Fields Too Large|500 Internal Server Error|'
            '503 Service Unavailable|505 HTTP Version Not Supported|200 OK|')


def reason(status):
    at = _REASONS.find('%d ' % status)
    return _REASONS[at + 4:_REASONS.find('|', at)] if at >= 0 else 'Unknown'


def status_line(version, status):
    return '%s %d %s\r\n' % (version, status, reason(status))


def error_bytes(status, headers=None, message=None):
    # A whole error answer that closes the connection.
    body = (message or reason(status)) + '\n'
    head = status_line('HTTP/1.1', status) + 'Content-Type: text/plain; charset=utf-8\r\n'
    for k, v in headers or ():
        head += k + ': ' + v + '\r\n'
    return ('%sConnection: close\r\nContent-Length: %d\r\n\r\n%s' % (head, len(body), body)
            ).encode('utf-8')


def error_response(status, message=None, headers=None):
    return Response((message or reason(status)) + '\n', status, headers=headers)


_ALLOW = [('Allow', 'GET, HEAD, OPTIONS')]


def refusal(req, auth):
    # What the exporter answers when it does not serve the page (no Router given).
    if req.path not in ('/', '/metrics'):
        return error_response(404)
    if req.method == 'OPTIONS':
        return Response(b'', 204, headers=_ALLOW)
    if req.method not in ('GET', 'HEAD'):
        return error_response(405, headers=_ALLOW)
    return error_response(401, headers=[('WWW-Authenticate', auth.challenge)])


def fail(server, conn, status, message=None):
    # Answer a bad request; the connection closes after a lingering read (its stream can't
    # be trusted, and an abrupt close would reset the answer away).
    try:
        out = error_bytes(status, None, message)
    except MemoryError:  # no heap to make it: the pre-made 503, never silence
        server._count('memory')
        status, out = 503, OOM
    server._count(status)
    server._release(conn)
    conn.keep = False
    conn.status = 0
    conn.out = out  # (bytes as they are: a full heap may have no room for a view of them)
    conn.t0 = ticks()
    server.sending(conn)
