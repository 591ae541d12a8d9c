# HTTP errors: HTTPError (a request answered with an error status), status lines, and whole
# error answers (404, 405, 401, 408, 413, 431, 503...) as bytes: what the exporter sends when it
# cannot or will not send the page.
#
# Imported on: CPython, MicroPython, CircuitPython (with http.py).


class HTTPError(Exception):
    # A request the server answers with status (and message, if given) and then closes.

    def __init__(self, status, message=''):
        super().__init__(status, message)
        self.status = status
        self.message = message


# status: reason, one string (a board pays for every object it keeps)
_REASONS = ('204 No Content|400 Bad Request|401 Unauthorized|403 Forbidden|'
            '404 Not Found|405 Method Not Allowed|408 Request Timeout|413 Content Too Large|'
            '414 URI Too Long|431 Request Header Fields Too Large|500 Internal Server Error|'
            '503 Service Unavailable|505 HTTP Version Not Supported|200 OK|')


def reason(status):
    at = _REASONS.find('%d ' % status)
    return _REASONS[at + 4:_REASONS.find('|', at)] if at >= 0 else 'Unknown'


def status_line(version, status):
    if status == 200:
        return version + ' 200 OK\r\n'
    return '%s %d %s\r\n' % (version, status, reason(status))


def error_bytes(status, headers=None, message=None):
    # A whole error answer that closes the connection.
    body = (message or reason(status)) + '\n'
    head = status_line('HTTP/1.1', status) + 'Content-Type: text/plain; charset=utf-8\r\n'
    for k, v in headers or ():
        head += k + ': ' + v + '\r\n'
    return ('%sConnection: close\r\nContent-Length: %d\r\n\r\n%s' % (head, len(body), body)
            ).encode('utf-8')


# Made at import, sent when an answer can't be made for want of heap (nothing else can be
# made then): by both servers (connections.py, aio.py).
OOM = (b'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 5\r\n'
       b'Connection: close\r\nContent-Length: 55\r\n\r\n'
       b'out of memory: free heap on the board, or fewer series\n')
