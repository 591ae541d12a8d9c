# How names outside [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no ':') are written, per
# escaping scheme (the Accept header's `escaping=`), as prometheus_client writes them:
#   allow-utf-8   as they are, in double quotes ({"my.metric",a="b"} 1.0)
#   underscores   each character outside the set becomes '_' (what boards and 0.0.4 pages use)
#   dots          '_' -> '__', '.' -> '_dot_', others outside the set -> '__', on every name
#   values        'U__' then '_' -> '__' and others outside the set -> '_<hex code>_'
#
# Imported on: CPython, MicroPython, CircuitPython (only when a page asks for an escaping other
# than underscores, or a program imports it).
from ._format import escape_name

ALLOWUTF8 = 'allow-utf-8'
UNDERSCORES = 'underscores'
DOTS = 'dots'
VALUES = 'values'
SCHEMES = (ALLOWUTF8, UNDERSCORES, DOTS, VALUES)


def legacy(s, colon=True):
    # Whether s is a name of the classic character set (colon: a metric name).
    return bool(s) and escape_name(s, colon) == s and (colon or not s.startswith('__'))


def _escape(s, escaping, colon):
    if escaping == ALLOWUTF8:
        return s.replace('\\', '\\\\').replace('\n', '\\n').replace('"', '\\"')
    if escaping == UNDERSCORES:
        return escape_name(s, colon)  # what every page writes by default
    e = escape_name(s, colon)  # a character outside the classic set is '_' there
    out = []
    for i, c in enumerate(s):
        ok = e[i] == c
        if c == '_':
            out.append('__')
        elif escaping == DOTS:
            out.append('_dot_' if c == '.' else c if ok else '__')
        elif ok:
            out.append(c)
        elif 0xd800 <= ord(c) <= 0xdfff:
            out.append('_FFFD_')
        else:
            out.append('_%x_' % ord(c))
    return ('U__' if escaping == VALUES else '') + ''.join(out)


def _name(s, escaping, colon):
    if not s or escaping not in SCHEMES:
        return s  # an unknown scheme writes names as they are, as upstream
    if escaping == ALLOWUTF8:
        e = _escape(s, escaping, colon)
        return e if legacy(s, colon) else '"%s"' % e
    if escaping == DOTS or not legacy(s, colon):
        return _escape(s, escaping, colon)
    return s


def escape_metric_name(s, escaping=UNDERSCORES):
    # A metric name as written under an escaping scheme (quoted where allow-utf-8 needs).
    return _name(s, escaping, True)


def escape_label_name(s, escaping=UNDERSCORES):
    # A label name as written under an escaping scheme (quoted where allow-utf-8 needs).
    return _name(s, escaping, False)
