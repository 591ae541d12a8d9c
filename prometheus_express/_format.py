# What metrics and the page writers share: names, escaping and number formatting, the HELP
# and TYPE lines, the suffixes of each type's series, whether `_created` series are written, and
# Collector (the mark of our own metrics).
#
# Imported on: CPython, MicroPython, CircuitPython. No `re`: names are checked character by character.
# The one runtime switch: CPython (threads, plenty of RAM, fast joins) or a board.
CPYTHON = __import__('sys').implementation.name == 'cpython'
# Boards: gc.collect, for the places that collect before a long-lived block or between answers
# (None on CPython, whose collector needs no help).
GC = None if CPYTHON else __import__('gc').collect
# Whether an answer can be gzip-compressed here: zlib on CPython, deflate on MicroPython ports
# built with compression (ESP32/RP2 firmware can only decompress; CircuitPython's zlib cannot
# either). Asked once, here, so that a runtime that cannot never loads _gzip.py; a board asks
# only its built-in modules (a zlib looked for on its flash would be a search at every import).
GZIP = False
try:
    if CPYTHON:
        GZIP = hasattr(__import__('zlib'), 'compressobj')
    else:
        try:
            GZIP = hasattr(__import__('deflate').DeflateIO, 'write')  # MicroPython
        except ImportError:  # CircuitPython, older MicroPython: a built-in zlib, if any
            GZIP = hasattr(__import__('zlib'), 'compressobj')
except ImportError:
    pass
# MicroPython's compile level (micropython.opt_level), or None: the package and the servers
# compile the modules they import at level 3, without line numbers (1.2-1.9 KB less heap held
# on micropython-board; a traceback from inside them names the function, not the line), and
# give the program its own level back (lean(), then lean(level)).
try:
    from micropython import opt_level as _opt
except ImportError:
    _opt = None


def lean(level=3):
    # Set the compile level (where the runtime has one); return the one it was.
    if _opt is not None:
        was = _opt()
        _opt(level)
        return was


# Names limited to the classic character set (validation.enable_legacy_validation(), or
# PROMETHEUS_LEGACY_NAME_VALIDATION=true on CPython); otherwise any UTF-8 name is taken.
LEGACY = [CPYTHON and __import__('os').environ.get('PROMETHEUS_LEGACY_NAME_VALIDATION', '')
          .lower() in ('true', '1', 't')]
# Whether `_created` series are written (disable_created_metrics(), or
# PROMETHEUS_DISABLE_CREATED_SERIES=true on CPython).
CREATED = [not (CPYTHON and __import__('os').environ.get(
    'PROMETHEUS_DISABLE_CREATED_SERIES', 'False').lower() in ('true', '1', 't'))]

# The series a metric type writes besides its own name (a registry refuses a second claim).
SUFFIXES = {
    'counter': ('_total', '_created'),
    'summary': ('_sum', '_count', '_created'),
    'histogram': ('_bucket', '_sum', '_count', '_created'),
    'gaugehistogram': ('_bucket', '_gsum', '_gcount'),
    'info': ('_info',),
}


class Collector:
    # The base of our own metrics: they write their own lines from their children (_rows),
    # so the registry and the page writer tell them from custom collectors by this class.
    pass


def fmt(d):
    # A sample value as prometheus_client's floatToGoString writes it ('1.0', '+Inf', '1e+07').
    #
    # Ints are formatted from their digits, so a counter past 2**24 stays exact on boards whose
    # floats are single precision; below 1e16 an int prints as repr(float(int)) would.
    c = d.__class__
    if c is float and -1000000.0 < d < 1000000.0:  # the common case, quickly
        return repr(d)
    if c is int and -10000000000000000 < d < 10000000000000000:
        if -1000000 < d < 1000000 or d < 0:
            return '%d.0' % d
        s = str(d)
        return (s[0] + '.' + s[1:]).rstrip('0.') + 'e+%02d' % (len(s) - 1)
    d = float(d)
    if d - d == 0:  # finite
        s = repr(d)
        if 1000000.0 <= d < 1e16:  # Go switches to exponents sooner than Python
            dot = s.find('.')
            if dot > 0:
                return (s[0] + '.' + s[1:dot] + s[dot + 1:]).rstrip('0.') + 'e+%02d' % (dot - 1)
        return s
    return 'NaN' if d != d else '+Inf' if d > 0 else '-Inf'


def escape_value(s):
    # Escape a label value (and OpenMetrics HELP): backslash, newline, double quote.
    return s.replace('\\', '\\\\').replace('\n', '\\n').replace('"', '\\"')


def escape_name(s, colon=True):
    # A metric (colon=True) or label name as written: characters outside
    # [a-zA-Z_:][a-zA-Z0-9_:]* become '_' (prometheus_client's 'underscores' escaping).
    out = None
    for i, c in enumerate(s):
        ok = ('a' <= c <= 'z' or 'A' <= c <= 'Z' or c == '_' or (colon and c == ':') or
              (i and '0' <= c <= '9'))
        if out is None:
            if ok:
                continue
            out = s[:i]
        out += c if ok else '_'
    return s if out is None else out


def full_name(typ, name, namespace, subsystem, unit):
    # A metric's name from its parts, as prometheus_client builds it (and checks it).
    if not name or not isinstance(name, str):
        raise ValueError('Metric name should not be empty' if not name else
                         'invalid metric name ' + str(name))
    full = (namespace + '_' if namespace else '') + (subsystem + '_' if subsystem else '') + name
    if typ == 'counter' and full.endswith('_total'):
        full = full[:-6]  # munge to OpenMetrics
        if not full:  # Counter('_total'): no name left (its OpenMetrics page would fail)
            raise ValueError('metric name cannot be empty')
    if unit and not full.endswith('_' + unit):
        full += '_' + unit
    if unit and typ in ('info', 'stateset'):
        raise ValueError('Metric name is of a type that cannot have a unit: ' + full)
    if LEGACY[0] and escape_name(full) != full:
        raise ValueError('invalid metric name ' + full)
    return full


def validate_labelname(l):
    if not isinstance(l, str) or not l:
        raise ValueError('Invalid label metric name: ' + str(l))
    if LEGACY[0] and escape_name(l, False) != l:
        raise ValueError('Invalid label metric name: ' + l)
    if l.startswith('__'):
        raise ValueError('Reserved label metric name: ' + l)


def labelstr(pairs, label=None):
    # '{a="x",b="y"}' for (name, value) pairs already in output order; '' for none.
    # label: writes a label name (default: the underscores scheme).
    out = ''
    for k, v in pairs:
        out += ',' + (label(k) if label else escape_name(k, False)) + '="' + escape_value(v) + '"'
    return '{' + out[1:] + '}' if out else ''


def header(w, ns, name, doc, typ, text):
    # Write a HELP and TYPE pair through w(str) for ns + name as written (text: the 0.0.4
    # format's HELP escaping). Piece by piece: a board's answer buffer takes each str as it
    # is, and no formatted copy is left as garbage (replace() gives doc itself back when
    # there is nothing to escape).
    doc = doc.replace('\\', '\\\\').replace('\n', '\\n')
    w('# HELP ')
    w(ns)
    w(name)
    w(' ')
    w(doc if text else doc.replace('"', '\\"'))
    w('\n# TYPE ')
    w(ns)
    w(name)
    w(' ')
    w(typ)
    w('\n')
