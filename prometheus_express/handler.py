# The exporter's answer to a request when no Router is given: the page on / and /metrics
# (negotiated format, ?name[]= filtering, streamed), else 404, 405, 401 or 204 for OPTIONS.
#
# Imported on: CPython, MicroPython, CircuitPython (by the servers).
from .http import Response
from .page import negotiate, page


def metrics_response(req, registry):
    # The page for a scrape: negotiated format, ?name[]= filtering; streamed. A request kept
    # for its bytes (exchange.py) keeps it, with its head (answer.py): a scraper's next
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

