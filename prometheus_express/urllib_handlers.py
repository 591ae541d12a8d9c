"""Pushgateway handlers built on CPython's urllib, as prometheus_client has them:
tls_auth_handler (a client certificate) and passthrough_redirect_handler (follows a redirect
with the same method, headers and body).

Imported on: CPython only.
"""
import ssl
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, HTTPSHandler, Request, build_opener


def _handler(url, method, timeout, headers, data, base):
    def handle():
        req = Request(url, data=data)
        req.get_method = lambda: method
        for k, v in headers:
            req.add_header(k, v)
        resp = build_opener(base).open(req, timeout=timeout)
        if resp.code >= 400:
            raise OSError('error talking to pushgateway: %s %s' % (resp.code, resp.msg))
    return handle


class _Redirects(HTTPRedirectHandler):
    """Repeats the request (method, headers, body) at the new URL of a 301/302/303 (any
    method) or 307 (GET, HEAD)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        m = getattr(req, 'method', None) or req.get_method()
        if not (code in (301, 302, 303, 307) and m in ('GET', 'HEAD')
                or code in (301, 302, 303) and m in ('POST', 'PUT')):
            raise HTTPError(req.full_url, code, msg, headers, fp)
        new = Request(newurl.replace(' ', '%20'), headers=req.headers,
                      origin_req_host=req.origin_req_host, unverifiable=True, data=req.data)
        new.method = m
        return new


def passthrough_redirect_handler(url, method, timeout, headers, data):
    """Only for redirects you trust: the request is sent again, whole, where they point."""
    return _handler(url, method, timeout, headers, data, _Redirects)


def tls_auth_handler(url, method, timeout, headers, data, certfile, keyfile, cafile=None,
                     protocol=ssl.PROTOCOL_TLS_CLIENT, insecure_skip_verify=False):
    """HTTPS with a client certificate (certfile, keyfile); cafile: the CA to trust."""
    ctx = ssl.SSLContext(protocol=protocol)
    if cafile is not None:
        ctx.load_verify_locations(cafile)
    else:
        ctx.load_default_certs()
    if insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(certfile=certfile, keyfile=keyfile)
    return _handler(url, method, timeout, headers, data, HTTPSHandler(context=ctx))

