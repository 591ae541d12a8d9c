# Pushgateway client (prometheus_client's names and signatures), over http_client.py.
#
# Imported on: CPython, MicroPython, CircuitPython (only when pushing).
#
#     push_to_gateway('pushgateway:9091', job='greenhouse', registry=registry)
#
# On a board the page is streamed to the gateway in HTTP chunks as it renders (no copy of it in
# RAM) when the default handler is used; on CPython, and to a handler of your own, it goes as
# bytes with a Content-Length, as upstream's does.
from ._format import CPYTHON, GZIP
from ._gzip import compressor
from .exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest, write_text
from .http_client import PushError, b64, request, split_url  # noqa: F401 (PushError: ours to give)
from .registry import REGISTRY


# The Net the default handler connects with when none is given: set it once on CircuitPython,
# push.NET = Net(socketpool.SocketPool(wifi.radio)); tests put an in-memory one here.
NET = None


_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'


def quote_plus(s):
    out = []
    for b in s.encode('utf-8'):
        c = chr(b)
        out.append(c if c in _SAFE else '+' if c == ' ' else '%%%02X' % b)
    return ''.join(out)


def _escape_grouping_key(k, v):
    if v == '':
        return k + '@base64', '='
    if '/' in v or ' ' in v:
        return k + '@base64', b64(v.encode('utf-8')).replace('+', '-').replace('/', '_')
    return k, quote_plus(v)


def gateway_url(gateway, job, grouping_key=None):
    # The URL upstream builds: scheme added if missing, /metrics/job/<job>{/<k>/<v>}.
    i = gateway.find('://')
    if i >= 0 and gateway[:i].lower() not in ('http', 'https'):
        raise ValueError('Unsupported URL scheme: %s (a gateway is http:// or https://)'
                         % gateway[:i])
    if i < 0:
        gateway = 'http://' + gateway
    url = gateway.rstrip('/') + '/metrics/%s/%s' % _escape_grouping_key('job', job)
    for k in sorted(grouping_key or {}):
        url += '/%s/%s' % _escape_grouping_key(str(k), str(grouping_key[k]))
    return url


def default_handler(url, method, timeout, headers, data):
    # The handler protocol: returns a function that makes the request (raises on failure).
    def handle():
        request(url, method, headers, data, timeout if timeout is not None else 30, NET)
    return handle


def basic_auth_handler(url, method, timeout, headers, data, username=None, password=None):
    # default_handler with HTTP basic auth (bind username/password with a lambda).
    def handle():
        h = list(headers)
        if username is not None and password is not None:
            h.append(('Authorization',
                      'Basic ' + b64(('%s:%s' % (username, password)).encode('utf-8'))))
        default_handler(url, method, timeout, h, data)()
    return handle


def _compress(data, compression, headers):
    # The body compressed as asked ('gzip', or 'snappy' with the python-snappy package).
    if compression.lower() == 'gzip':  # (_use_gateway checked it is gzip or snappy)
        if not GZIP:  # board firmware's deflate can only decompress
            raise ValueError('gzip compression is not available on this runtime')
        z = compressor()
        headers.append(('Content-Encoding', 'gzip'))
        return z.compress(data) + z.flush()
    try:
        import snappy
    except ImportError:
        raise RuntimeError('Snappy compression requires the python-snappy package to be '
                           'installed.')
    headers.append(('Content-Encoding', 'snappy'))
    z = snappy.StreamCompressor()
    out = z.compress(data)
    return out + z.flush() if callable(getattr(z, 'flush', None)) else out


def _use_gateway(method, gateway, job, registry, grouping_key, timeout, handler,
                 compression=None):
    url = gateway_url(gateway, job, grouping_key)
    headers = [('Content-Type', CONTENT_TYPE_PLAIN_0_0_4)]
    if compression is not None and method == 'DELETE':
        raise ValueError('Compression is not supported for DELETE requests.')
    if compression is not None and compression.lower() not in ('gzip', 'snappy'):
        raise ValueError('Unsupported compression type: %s' % compression)
    reg = registry if registry is not None else REGISTRY
    if method == 'DELETE':
        data = b''
    elif handler is default_handler and not CPYTHON and compression is None:
        data = lambda w: write_text(reg, w)  # noqa: E731 - streamed (chunked) by request()
    else:
        data = generate_latest(reg)
        if compression is not None:
            data = _compress(data, compression, headers)
    handler(url=url, method=method, timeout=timeout, headers=headers, data=data)()


def push_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                    handler=default_handler, compression=None):
    # Replace every metric of this job and grouping key on the gateway (PUT).
    # compression: None, 'gzip' or 'snappy' (CPython with python-snappy).
    _use_gateway('PUT', gateway, job, registry, grouping_key, timeout, handler, compression)


def pushadd_to_gateway(gateway, job, registry, grouping_key=None, timeout=30,
                       handler=default_handler, compression=None):
    # Replace only the metrics with the same names (POST).
    _use_gateway('POST', gateway, job, registry, grouping_key, timeout, handler, compression)


def delete_from_gateway(gateway, job, grouping_key=None, timeout=30, handler=default_handler):
    # Delete this job and grouping key's metrics from the gateway (DELETE).
    _use_gateway('DELETE', gateway, job, None, grouping_key, timeout, handler)


def instance_ip_grouping_key():
    # {'instance': this host's IP address} (a board: its station interface address).
    try:
        import network
        for name in ('STA_IF', 'ETH'):
            iface = getattr(network, name, None)
            if iface is not None:
                return {'instance': network.WLAN(iface).ifconfig()[0]}
    except Exception:
        pass
    try:
        import wifi
        return {'instance': str(wifi.radio.ipv4_address)}
    except Exception:
        pass
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(('localhost', 0))
        return {'instance': s.getsockname()[0]}
    finally:
        s.close()
