"""Content negotiation: which page (text 0.0.4 or OpenMetrics, and which escaping of names)
an Accept header asks for, as prometheus_client chooses.

Imported on: CPython, MicroPython, CircuitPython (by the exporter, and by the framework
adapters when they are imported).
"""
from .exposition import CONTENT_TYPE_OPENMETRICS, CONTENT_TYPE_PLAIN_0_0_4


def negotiate(accept_header):
    """(openmetrics?, content type, escaping) for an Accept header, as prometheus_client
    chooses: escaping (allow-utf-8, underscores, dots, values) only with a version >= 1."""
    for accepted in (accept_header or '').split(','):
        toks = accepted.split(';')
        mime = toks[0].strip()
        if mime in ('application/openmetrics-text', 'text/plain'):
            v = ''
            esc = None
            for t in toks[1:]:
                t = t.strip()
                if t[:8] == 'version=' and not v:
                    v = t[8:]
                elif t[:9] == 'escaping=' and esc is None:
                    esc = t[9:]
            if esc not in ('allow-utf-8', 'dots', 'values'):
                esc = 'underscores'
            om = mime[0] == 'a'
            if om and not v:
                return True, CONTENT_TYPE_OPENMETRICS, 'underscores'
            if v and v.split('.')[0].isdigit() and int(v.split('.')[0]) >= 1:
                return om, '%s; version=%s; charset=utf-8; escaping=%s' % (
                    mime, v if om else '1.0.0', esc), esc
    return False, CONTENT_TYPE_PLAIN_0_0_4, 'underscores'
