# The exporter's listening sockets: bound (several on a network chip with few sockets and no
# accept queue), clients accepted (room made first where the chip has no spare socket), and
# everything closed.
#
# Imported on: CPython, MicroPython, CircuitPython (with server.py).
from ._sockets import POLLIN, err_kind
from .connections import Conn, listener_failed, make_room
from .http import OOM


class Listening:
    # The listening half of MetricsServer (its methods; the state is the server's).

    def _bind(self):
        while len(self._ls) < self.listeners:
            ls = self.net.listen(self.addr, self.port, self.backlog)
            self._ls.append(ls)
            self._poller.register(ls, POLLIN)
            if not self.port:  # port 0: the one the system gave (kept for rebinding)
                try:
                    self.port = ls.getsockname()[1]
                except (AttributeError, OSError):
                    pass
        self._backoff = 0.25

    def _accept(self, ls):
        for _ in range(16):
            if len(self._conns) >= self.max_connections and self._few:
                # no socket to accept into: make one free, else the client waits in the chip
                if not make_room(self, None):
                    return
            try:
                sock = ls.accept()[0]
                sock.setblocking(False)
                try:  # TCP_NODELAY: a page's last chunk must not wait for the client's ACK
                    sock.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY (Linux, lwIP)
                except Exception:
                    pass
            except MemoryError:
                return  # no heap for the socket object: the client waits for the next poll
            except Exception as e:
                if err_kind(e) not in ('again', 'timeout'):
                    listener_failed(self, ls)
                return
            if len(self._conns) >= self.max_connections:
                try:
                    room = make_room(self, sock)
                except Exception:  # no heap to load it: the newcomer goes
                    sock.close()
                    raise
                if not room:
                    continue
            try:
                self._conns[id(sock)] = Conn(sock)
                self._poller.register(sock, POLLIN)
            except MemoryError:  # no heap for one more connection: the pre-made 503
                self._conns.pop(id(sock), None)
                self._count('memory')
                try:
                    sock.send(OOM)
                    sock.close()
                except Exception:
                    pass
                return

    def close(self):
        self._stopped = True
        for conn in list(self._conns.values()):
            self._drop(conn)
        for ls in self._ls:
            self._poller.unregister(ls)
            ls.close()
        self._ls = []

    server_close = close
