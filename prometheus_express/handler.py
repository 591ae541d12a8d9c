# The exporter's answer to a request when no Router is given: the page on / and /metrics
# (negotiated format, ?name[]= filtering, streamed), else 404, 405, 401 or 204 for OPTIONS.
#
# Imported on: CPython, MicroPython, CircuitPython (by the servers).
from .http import Response, error_response
from .page import negotiate, page


def metrics_response(req, registry):
    # The page for a scrape: negotiated format, ?name[]= filtering; streamed. A request kept
    # for its bytes (exchange.py) keeps it, with its head (answer.py): a scraper's next
    # scrape makes nothing new (a view, made for ?name[]=, is made anew each time).
    if req.resp is not None:
        return req.resp
    om, ctype, esc = negotiate(req.headers.get('accept'))
    names = [n for n in req.args('name[]') if n]
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
    return refusal(req, auth)


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
