"""make_asgi_app: the page as an ASGI app (Starlette, FastAPI, any ASGI server), under
prometheus_client's name.

Imported on: CPython only.
"""
from urllib.parse import parse_qs

from .registry import REGISTRY
from .wsgi import bake


def make_asgi_app(registry=REGISTRY, disable_compression=False):
    """An ASGI app serving the registry's page (negotiated format, ?name[]=, gzip)."""
    async def app(scope, receive, send):
        assert scope.get('type') == 'http'
        params = parse_qs(scope.get('query_string', b'').decode('utf-8'))
        got = {}
        for name, value in scope.get('headers') or ():
            name = name.decode('utf-8').lower()
            if name in ('accept', 'accept-encoding'):
                got[name] = got[name] + ',' + value.decode('utf-8') if name in got \
                    else value.decode('utf-8')
        status, headers, body = bake(registry, got.get('accept'), got.get('accept-encoding'),
                                     params, disable_compression)
        await send({'type': 'http.response.start', 'status': int(status.split(' ')[0]),
                    'headers': [(k.encode('utf-8'), v.encode('utf-8')) for k, v in headers]})
        await send({'type': 'http.response.body', 'body': body})
    return app
