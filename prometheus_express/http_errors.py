"""HTTP status reasons and the exporter's error answers (404, 405, 401, 408, 413, 431, 503...):
loaded when the first one is needed.

Imported on: CPython, MicroPython, CircuitPython.
"""
from .http import Response, status_line

# status: reason, one string (a board pays for every object it keeps)
_REASONS = ('204 No Content|400 Bad Request|401 Unauthorized|403 Forbidden|'
            '404 Not Found|405 Method Not Allowed|408 Request Timeout|413 Content Too Large|'
            '414 URI Too Long|431 Request Header Fields Too Large|500 Internal Server Error|'
            '503 Service Unavailable|505 HTTP Version Not Supported|200 OK|')
_ALLOW = [('Allow', 'GET, HEAD, OPTIONS')]


def reason(status):
    at = _REASONS.find('%d ' % status)
    return _REASONS[at + 4:_REASONS.find('|', at)] if at >= 0 else 'Unknown'


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


def error_bytes(status, headers=None, message=None):
    """A whole error answer that closes the connection."""
    body = (message or reason(status)) + '\n'
    head = status_line('HTTP/1.1', status) + 'Content-Type: text/plain; charset=utf-8\r\n'
    for k, v in headers or ():
        head += k + ': ' + v + '\r\n'
    return ('%sConnection: close\r\nContent-Length: %d\r\n\r\n%s' % (head, len(body), body)
            ).encode('utf-8')
