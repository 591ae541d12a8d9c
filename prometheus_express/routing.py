# Routes of your own beside /metrics, middleware, and basic/bearer auth for the exporter.
#
# Imported on: CPython, MicroPython, CircuitPython (only when a router or auth is used).
from .answer import metrics_response
from .http import Response
from .http_errors import error_response


def _same(a, b):
    # Constant-time comparison of two byte strings (time depends on length only).
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
    # An auth check: call it with a Request; .challenge is the WWW-Authenticate value.
    # (A class, not a closure: MicroPython functions cannot carry attributes.)

    def __init__(self, scheme, credentials, challenge):
        self.scheme = scheme  # lower case: the scheme's case does not matter (RFC 9110 11.1)
        self.expected = credentials
        self.challenge = challenge

    def __call__(self, req):
        h = req.headers.get('authorization', '').strip()
        sp = h.find(' ')
        return sp > 0 and h[:sp].lower() == self.scheme and \
            _same(h[sp + 1:].strip(), self.expected)


def basic_auth(username, password, realm='metrics'):
    # An auth check: HTTP basic auth with this user and password.
    return _Auth('basic', _b64((username + ':' + password).encode('utf-8')),
                 'Basic realm="%s"' % realm)


def bearer_token(token, realm='metrics'):
    # An auth check: 'Authorization: Bearer <token>'.
    return _Auth('bearer', token, 'Bearer realm="%s"' % realm)


def metrics_handler(registry):
    # A route handler (for a Router) that serves registry's page.
    return lambda req: metrics_response(req, registry)


class Router:
    # Path and method routing with an optional auth check per route and middleware.
    #
    # A handler takes a Request and returns a Response, a str/bytes body, or a tuple
    # (body, status) / (body, status, content_type). Middleware is fn(request, next) -> response.

    def __init__(self, routes=None):
        self.routes = []        # (path, methods, handler, auth), first match wins
        self.middleware = []
        for method, path, handler in routes or ():
            self.register(method, path, handler)

    def register(self, method, path, handler, auth=None):
        # The prometheus_express 0.0.4 call order: method, path, handler.
        self.add(path, handler, (method,), auth)

    def add(self, path, handler, methods=('GET',), auth=None):
        methods = tuple([m.upper() for m in methods])
        if 'GET' in methods and 'HEAD' not in methods:
            methods += ('HEAD',)
        self.routes.append((path, methods, handler, auth))

    def route(self, path, methods=('GET',), auth=None):
        # Decorator form of add().
        def deco(handler):
            self.add(path, handler, methods, auth)
            return handler
        return deco

    def add_metrics(self, registry, auth=None):
        # Serve registry's page on /metrics (unless a route has that path already).
        if not [r for r in self.routes if r[0] == '/metrics']:
            self.add('/metrics', metrics_handler(registry), ('GET',), auth)

    def use(self, fn):
        self.middleware.append(fn)
        return fn

    def dispatch(self, req):
        # The Response for req: its route's (auth and middleware applied), 401, 405 with
        # Allow, an OPTIONS answer, or 404.
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
            allowed.append('OPTIONS')
            if req.method == 'OPTIONS':
                return Response(b'', 204, headers=[('Allow', ', '.join(allowed))])
            return error_response(405, headers=[('Allow', ', '.join(allowed))])
        return error_response(404)

    def _run(self, req, handler, i):
        if i < len(self.middleware):
            return as_response(self.middleware[i](req, lambda r: self._run(r, handler, i + 1)))
        return as_response(handler(req))


def as_response(r):
    # A handler's answer as a Response; anything else raises TypeError (the server answers
    # 500 then, as when a handler raises).
    if not isinstance(r, Response):
        r = Response(*r) if isinstance(r, tuple) else Response(r)
    b = r.body
    if not (callable(b) or isinstance(b, (str, bytes, bytearray))) or \
            r.status.__class__ is not int:
        raise TypeError('a handler returns a Response, str, bytes or (body, status[, '
                        'content type]), not %r' % (b,))
    return r


