# prometheus_client's exposition calls: the whole page at once (generate_latest,
# generate_openmetrics, write_text, write_openmetrics), choose_encoder for an Accept header, the
# content types, and page_chunks for web frameworks that stream a body; over page.py's writer.
# On CPython also MetricsHandler, make_wsgi_app & co. (set here by dropin.py).
#
# Imported on: CPython, MicroPython, CircuitPython (when one of these is first used: a board
# whose server streams the page never loads it).
from ._format import CPYTHON
from .page import (CONTENT_TYPE_LATEST, CONTENT_TYPE_OPENMETRICS,  # noqa: F401
                   CONTENT_TYPE_PLAIN_0_0_4, CONTENT_TYPE_PLAIN_1_0_0, negotiate, page)
from .registry import REGISTRY


def write_text(registry, write, escaping=None):
    # Write the Prometheus text format 0.0.4 page for registry through write(str).
    for _ in page(registry, write, False, (), 1, escaping):
        pass


def write_openmetrics(registry, write, escaping=None):
    # Write the OpenMetrics 1.0 page for registry through write(str), ending in # EOF.
    for _ in page(registry, write, True, (), 1, escaping):
        pass


def page_bytes(registry, om, escaping):
    # The whole page as UTF-8 bytes. CPython joins str pieces and encodes once. Boards
    # write it into a 1 KB buffer and keep each full one as bytes, joined at the end: a
    # bytearray grown line by line is copied at every growth (a quarter slower at 1,000
    # series, bench/board.py) and leaves the old blocks behind as holes.
    if CPYTHON:
        out = []
        (write_openmetrics if om else write_text)(registry, out.append, escaping)
        return ''.join(out).encode('utf-8')
    return b''.join(_chunks(registry, om, escaping, 1024, None))


def generate_latest(registry=REGISTRY, escaping='underscores'):
    # The text format page as UTF-8 bytes (prometheus_client.generate_latest); escaping:
    # how names outside the classic character set are written (openmetrics.py).
    return page_bytes(registry, False, escaping)


def generate_openmetrics(registry=REGISTRY, escaping='underscores'):
    # The OpenMetrics 1.0 page as UTF-8 bytes (prometheus_client.openmetrics.exposition).
    return page_bytes(registry, True, escaping)


def page_chunks(registry=REGISTRY, accept=None, accept_encoding=None, names=(), size=1024,
                gzip=True):
    # (content type, 'gzip' or None, generator of bytes chunks of about `size` bytes): the
    # page negotiated as our server does (text / OpenMetrics for Accept, gzip where the runtime
    # can compress, ?name[]= names), rendered a chunk at a time as the framework sends them,
    # for frameworks that stream a generator body (microdot_metrics, httpserver_metrics).
    # gzip: whether the runtime can compress (_format.GZIP, or False).
    om, ctype, esc = negotiate(accept)
    reg = registry.restricted_registry(names) if names else registry
    z = None
    if gzip and accept_encoding:
        from ._gzip import compressor, wants_gzip  # extension: gzip, when asked for
        if wants_gzip(accept_encoding):
            z = compressor()
    return ctype, 'gzip' if z is not None else None, _chunks(reg, om, esc, size, z)


def _chunks(reg, om, esc, size, z):
    buf = bytearray()
    rows = page(reg, (lambda s: buf.extend(s.encode('utf-8'))) if CPYTHON else buf.extend, om,
                buf, size, esc)
    more = True
    while more:
        more = False
        for _ in rows:
            more = True
            break
        data = bytes(buf)
        buf[:] = b''
        if z is not None:
            data = z.compress(data) + (b'' if more else z.flush())
        if data:
            yield data


def choose_encoder(accept_header):
    # (encoder, content type) for an Accept header, as prometheus_client's choose_encoder:
    # the encoder takes a registry.
    om, ctype, esc = negotiate(accept_header)
    gen = generate_openmetrics if om else generate_latest
    return (gen if esc == 'underscores' else lambda r=REGISTRY: gen(r, esc)), ctype
