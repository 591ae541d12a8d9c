# The page on an adafruit_httpserver Server (CircuitPython's HTTP server; CPython with
# Blinka): one server and one socket on the board for your pages and /metrics.
#
# Imported on: CircuitPython (or CPython), by a program that serves with adafruit_httpserver.
#
#     from adafruit_httpserver import Server
#     from prometheus_express.httpserver_metrics import add_metrics
#     server = Server(pool, debug=False)
#     add_metrics(server)           # GET /metrics: the registry's page
#     server.serve_forever('0.0.0.0', 8080)
#
# The page is negotiated as our own server does (text 0.0.4 / OpenMetrics, gzip where the
# runtime can compress, ?name[]=) and sent as a ChunkedResponse, a 1 KB chunk at a time as it
# is rendered.
from ._format import GZIP
from .exposition import page_chunks
from .registry import REGISTRY


def add_metrics(server, registry=REGISTRY, path='/metrics', size=1024):
    # Add GET `path` serving registry's page to the adafruit_httpserver Server; returns the
    # handler.
    from adafruit_httpserver import GET, ChunkedResponse

    def metrics(request):
        names = request.query_params.get_list('name[]') if request.query_params else []
        ctype, encoding, body = page_chunks(registry, request.headers.get('Accept'),
                                            request.headers.get('Accept-Encoding'),
                                            [n for n in names if n], size, GZIP)
        headers = {'Content-Encoding': encoding, 'Vary': 'Accept-Encoding'} if encoding \
            else None
        return ChunkedResponse(request, lambda: body, content_type=ctype, headers=headers)
    server.route(path, GET)(metrics)
    return metrics
