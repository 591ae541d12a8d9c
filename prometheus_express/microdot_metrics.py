# The page on a microdot app (microdot 2, MicroPython, CircuitPython, CPython): one server,
# one socket, one buffer on the board for your pages and /metrics.
#
# Imported on: any runtime, by a program that serves with microdot and imports it.
#
#     from microdot import Microdot
#     from prometheus_express.microdot_metrics import add_metrics
#     app = Microdot()
#     add_metrics(app)            # GET /metrics: the registry's page
#     app.run(port=8080)
#
# The page is negotiated as our own server does (text 0.0.4 / OpenMetrics for Prometheus'
# Accept, gzip where the runtime can compress, ?name[]=), and streamed: microdot sends the
# generator's chunks (1 KB each) as they are rendered.
from ._format import GZIP
from .exposition import page_chunks
from .registry import REGISTRY


def add_metrics(app, registry=REGISTRY, path='/metrics', size=1024):
    # Add GET `path` serving registry's page to the microdot app; returns the handler.
    def metrics(request):
        names = request.args.getlist('name[]') if request.args else []
        ctype, encoding, body = page_chunks(registry, request.headers.get('Accept'),
                                            request.headers.get('Accept-Encoding'),
                                            [n for n in names if n], size, GZIP)
        headers = {'Content-Type': ctype}
        if encoding:
            headers['Content-Encoding'] = encoding
            headers['Vary'] = 'Accept-Encoding'
        return body, 200, headers
    app.route(path)(metrics)
    return metrics
