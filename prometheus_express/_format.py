"""Names, escaping and number formatting shared by metrics and the exposition writers.

Imported on: CPython, MicroPython, CircuitPython. No `re`: names are checked character by character.
"""
# The one runtime switch: CPython (threads, plenty of RAM, fast joins) or a board.
CPYTHON = __import__('sys').implementation.name == 'cpython'

INF = float('inf')
NaN = float('nan')
_EXACT = 10 ** 16  # below this an int prints as repr(float(int)) would


def fmt(d):
    """A sample value as prometheus_client's floatToGoString writes it ('1.0', '+Inf', '1e+07').

    Ints are formatted from their digits, so a counter past 2**24 stays exact on boards whose
    floats are single precision.
    """
    c = d.__class__
    if c is int:
        if -1000000 < d < 1000000:  # small: no big-int arithmetic (it allocates on boards)
            return '%d.0' % d
        if d > 0 and d < _EXACT:
            s = str(d)
            return (s[0] + '.' + s[1:]).rstrip('0.') + 'e+%02d' % (len(s) - 1)
        if d < 0 and d > -_EXACT:
            return '%d.0' % d
    if c is not float:
        d = float(d)
    if d - d == 0:  # finite
        s = repr(d)
        if 1000000.0 <= d < 1e16:  # Go switches to exponents sooner than Python
            dot = s.find('.')
            if dot > 0:
                return (s[0] + '.' + s[1:dot] + s[dot + 1:]).rstrip('0.') + 'e+%02d' % (dot - 1)
        return s
    if d != d:
        return 'NaN'
    return '+Inf' if d > 0 else '-Inf'


def escape_value(s):
    """Escape a label value (and OpenMetrics HELP): backslash, newline, double quote."""
    return s.replace('\\', '\\\\').replace('\n', '\\n').replace('"', '\\"')


def escape_help(s):
    """Escape HELP text for the 0.0.4 text format: backslash and newline."""
    return s.replace('\\', '\\\\').replace('\n', '\\n')


def _legacy_char(c, first, colon):
    return ('a' <= c <= 'z' or 'A' <= c <= 'Z' or c == '_' or (colon and c == ':')
            or (not first and '0' <= c <= '9'))


def is_legacy_name(s, colon=True):
    """True if s matches [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no colon)."""
    if not s:
        return False
    first = True
    for c in s:
        if not _legacy_char(c, first, colon):
            return False
        first = False
    return True


def escape_name(s, colon=True):
    """A metric (colon=True) or label name as written: invalid characters become '_'
    (prometheus_client's default 'underscores' escaping for UTF-8 names)."""
    if is_legacy_name(s, colon):
        return s
    out = []
    first = True
    for c in s:
        out.append(c if _legacy_char(c, first, colon) else '_')
        first = False
    return ''.join(out)


def validate_metric_name(name):
    if not name:
        raise ValueError('metric name cannot be empty')
    if not isinstance(name, str):
        raise ValueError('invalid metric name ' + str(name))


def validate_labelname(l):
    if not isinstance(l, str) or not l:
        raise ValueError('Invalid label metric name: ' + str(l))
    if l.startswith('__'):
        raise ValueError('Reserved label metric name: ' + l)
