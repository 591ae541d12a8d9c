# The least exporter, a yardstick for bench/board_floor.py (not the library): labelled Gauges
# (a dict of children), the text page rendered per request and sent in one send with its
# length, keep-alive, a request read until its blank line and answered if it is a GET. No
# limits, no timeouts, no error answers, no drop-in API: what any exporter that renders each
# scrape pays on a board interpreter, in time and heap. Imported by board_floor_server.py.
import select
import socket


class Gauge:
    def __init__(self, name, doc, labelnames, registry):
        self.name, self.doc = name, doc
        self.f = name + '{' + ','.join([n + '="%s"' for n in labelnames]) + '} %s\n'
        self.kids = {}
        registry.append(self)

    def labels(self, *values):
        c = self.kids.get(values)
        if c is None:
            c = self.kids[values] = object.__new__(Gauge)
        return c

    def set(self, v):
        self.v = float(v)

    def rows(self, w):
        w('# HELP %s %s\n# TYPE %s gauge\n' % (self.name, self.doc, self.name))
        f = self.f
        for k, c in self.kids.items():
            w(f % (k + (repr(c.v),)))


def page(registry):
    parts = []
    for m in registry:
        m.rows(parts.append)
    body = ''.join(parts).encode()
    return b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n' \
           b'Content-Length: %d\r\n\r\n%s' % (len(body), body)


class Server:
    def __init__(self, port):
        ls = self.ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(socket.getaddrinfo('127.0.0.1', port)[0][-1])
        ls.listen(8)
        ls.setblocking(False)
        self.poller = select.poll()
        self.poller.register(ls, select.POLLIN)
        self.heads = {}

    def poll(self, registry, static=None, answer=None):
        # static: bytes answered to every request instead of a rendered page (the ceiling);
        # answer(sock): what answers instead of sending page()'s bytes.
        for s, ev in self.poller.poll(1000):
            if s is self.ls:
                c = s.accept()[0]
                c.setblocking(False)
                c.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
                self.poller.register(c, select.POLLIN)
                self.heads[c] = b''
                continue
            try:
                d = s.recv(1024)
            except OSError:
                d = b''
            if not d:
                self.poller.unregister(s)
                self.heads.pop(s, None)
                s.close()
                continue
            d = self.heads[s] + d
            end = d.find(b'\r\n\r\n')
            self.heads[s] = d if end < 0 else d[end + 4:]
            if end >= 0 and d[:4] == b'GET ':
                if answer is not None:
                    answer(s)
                else:
                    s.send(static or page(registry))
