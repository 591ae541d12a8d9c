# start_http_server: the exporter served from a daemon thread, as prometheus_client's is (or
# over HTTPS by start_wsgi_server, with its TLS arguments). Apart from server.py so that a
# board serving from its own loop with poll() never compiles it.
#
# Imported on: CPython, MicroPython, CircuitPython (when start_http_server is first used).
from .registry import REGISTRY
from .server import MetricsServer

_TLS = ('certfile', 'keyfile', 'client_cafile', 'client_capath', 'protocol',
        'client_auth_required')


def start_http_server(port, addr='0.0.0.0', registry=REGISTRY, certfile=None, keyfile=None,
                      **kw):
    # Serve /metrics from a daemon thread, as prometheus_client does. With certfile and
    # keyfile (and client_cafile, client_capath, protocol, client_auth_required, as
    # prometheus_client 0.26 takes them): HTTPS, by start_wsgi_server (CPython's ssl).
    #
    # Returns (server, thread); thread is None where only _thread exists.
    if certfile or keyfile or [k for k in kw if k in _TLS]:
        from .wsgi import start_wsgi_server  # extension: TLS (CPython only)
        return start_wsgi_server(port, addr, registry, certfile=certfile, keyfile=keyfile,
                                 **kw)
    server = MetricsServer(port, addr, registry, **kw)
    try:
        import threading
    except ImportError:
        import _thread
        _thread.start_new_thread(server.serve_forever, ())
        return server, None
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server, t
