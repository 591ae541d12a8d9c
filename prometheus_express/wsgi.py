"""WSGI serving under prometheus_client's names: make_wsgi_app, start_wsgi_server (with TLS
and client certificates), MetricsHandler for http.server, and bake() that they and
asgi.py share.

Imported on: CPython only (wsgiref, http.server, ssl). Boards serve with server.py.
"""
import ssl
import threading
from http.server import BaseHTTPRequestHandler
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ._gzip import wants_gzip
from .exposition import choose_encoder
from .registry import REGISTRY


def bake(registry, accept, accept_encoding, params, disable_compression=False):
    """('200 OK', headers, body bytes) for a scrape: negotiated format, ?name[]= filter,
    gzip when asked for."""
    encoder, ctype = choose_encoder(accept)
    names = [n for n in params.get('name[]', ()) if n]
    if names:
        registry = registry.restricted_registry(names)
    body = encoder(registry)
    headers = [('Content-Type', ctype)]
    if not disable_compression and wants_gzip(accept_encoding):
        import gzip
        body = gzip.compress(body)
        headers.append(('Content-Encoding', 'gzip'))
    return '200 OK', headers, body


def make_wsgi_app(registry=REGISTRY, disable_compression=False):
    """A WSGI app serving the registry's page on every path (GET; OPTIONS: the methods)."""
    def app(environ, start_response):
        method = environ['REQUEST_METHOD']
        if method == 'OPTIONS':
            status, headers, body = '200 OK', [('Allow', 'OPTIONS,GET')], b''
        elif method != 'GET':
            status = '405 Method Not Allowed'
            headers = [('Allow', 'OPTIONS,GET')]
            body = ('# HTTP %s: %s; use OPTIONS or GET\n' % (status, method)).encode()
        elif environ.get('PATH_INFO') == '/favicon.ico':
            status, headers, body = '200 OK', [], b''
        else:
            status, headers, body = bake(registry, environ.get('HTTP_ACCEPT'),
                                         environ.get('HTTP_ACCEPT_ENCODING'),
                                         parse_qs(environ.get('QUERY_STRING', '')),
                                         disable_compression)
        start_response(status, headers)
        return [body]
    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _tls_context(certfile, keyfile, protocol, cafile, capath, client_auth_required,
                 tls_min_version, tls_max_version):
    ctx = ssl.SSLContext(protocol=protocol)
    if cafile is not None or capath is not None:
        ctx.load_verify_locations(cafile, capath)
    else:
        ctx.load_default_certs(purpose=ssl.Purpose.CLIENT_AUTH)
    if client_auth_required:
        ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(certfile=certfile, keyfile=keyfile)
    if tls_min_version is not None:
        ctx.minimum_version = tls_min_version
    if tls_max_version is not None:
        ctx.maximum_version = tls_max_version
    return ctx


def start_wsgi_server(port, addr='0.0.0.0', registry=REGISTRY, certfile=None, keyfile=None,
                      client_cafile=None, client_capath=None,
                      protocol=ssl.PROTOCOL_TLS_SERVER, client_auth_required=False,
                      tls_min_version=None, tls_max_version=None):
    """prometheus_client's start_wsgi_server: wsgiref in a daemon thread, HTTPS when given
    certfile and keyfile. Returns (server, thread)."""
    import socket
    family, _, _, _, sockaddr = socket.getaddrinfo(addr, port, type=socket.SOCK_STREAM,
                                                   flags=socket.AI_PASSIVE)[0]

    class Server(_ThreadingWSGIServer):
        address_family = family

    httpd = make_server(sockaddr[0], port, make_wsgi_app(registry), Server,
                        handler_class=_Quiet)
    if certfile and keyfile:
        ctx = _tls_context(certfile, keyfile, protocol, client_cafile, client_capath,
                           client_auth_required, tls_min_version, tls_max_version)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    return httpd, t


class MetricsHandler(BaseHTTPRequestHandler):
    """An http.server handler serving `registry` (REGISTRY unless made by factory())."""
    registry = REGISTRY

    def do_GET(self):
        status, headers, body = bake(self.registry, self.headers.get('Accept'),
                                     self.headers.get('Accept-Encoding'),
                                     parse_qs(urlparse(self.path).query))
        self.send_response(int(status.split(' ')[0]))
        for h in headers:
            self.send_header(*h)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass

    @classmethod
    def factory(cls, registry):
        """A subclass of this handler serving `registry`."""
        return type(str(cls.__name__), (cls, object), {'registry': registry})


_bake_output = bake  # prometheus_client's private name, which its own tests import
