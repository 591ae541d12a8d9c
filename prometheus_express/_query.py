# Query strings and percent-encoded paths of requests (`?name[]=...`).
#
# Imported on: CPython, MicroPython, CircuitPython (when a request has a query or a '%'). A
# percent-encoding that is not UTF-8 raises UnicodeError (http.parse_head answers it 400).


def unquote(s):
    # Percent-decoding (and '+' as space) for query strings, without urllib.
    if '%' not in s and '+' not in s:
        return s
    b = s.replace('+', ' ').encode('utf-8')
    out = bytearray()
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        h = b[i + 1:i + 3]
        if c == 37 and len(h) == 2 and not [x for x in h if x not in b'0123456789abcdefABCDEF']:
            out.append(int(h.decode(), 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return out.decode('utf-8')


def split_target(r):
    # Set r.path (decoded) and r.query [(name, value)] from r.target.
    target = r.target
    q = target.find('?')
    r.path = unquote(target if q < 0 else target[:q])
    r.query = []
    if q >= 0:
        for part in target[q + 1:].split('&'):
            if part:
                eq = part.find('=')
                k, v = (part, '') if eq < 0 else (part[:eq], part[eq + 1:])
                r.query.append((unquote(k), unquote(v)))
