# Sockets of a socketpool written in Python (the WIZnet W5500 driver adafruit_wiznet5k, the
# old prometheus_express board's), made to behave as the server needs: never waiting, no
# socket lost. Not the ESP32-SPI driver's: its listener is asked for a client by
# socket_available() and its recv_into() returns 0 for "nothing yet" (untested here: no
# emulator of its co-processor).
#
# Imported on: CircuitPython (and CPython) with such a socketpool, when a server listens on
# it (_sockets.Net.listen finds that select cannot poll its sockets).
#
# What the WIZnet driver does that a server must not meet (its words are matched here, its
# socket's _socknum, _interface and _status read: this module is the one place that knows):
# - send() with timeout 0 waits for the chip without end (TX room, then SEND_OK, which a
#   client that stopped reading never gives): sends here wait 2 ms at most; "timed out" after
#   the data reached the chip means it was taken.
# - accept() swaps hardware sockets: the client's stays in the object it returns and the
#   listener re-arms on a new one. When the new one has already taken the next client it
#   raises RuntimeError, and the first client's socket is lost: reserved, in CLOSE_WAIT, held
#   until a reset (the old library's "leaked sockets"). The accept here does the same swap
#   without that check (the next accept() returns the next client).
# - No free hardware socket for the swap: the client waits in the chip until a connection
#   ends. A listener the chip closed (the cable pulled) listens again in place at every poll.
# - RuntimeErrors and ConnectionError (cable out) become OSErrors with errno, so the server
#   counts them by name (reset, link), not as other.
import errno

AGAIN = getattr(errno, 'EAGAIN', 11)
RESET = getattr(errno, 'ECONNRESET', 104)
LINK = getattr(errno, 'ENETDOWN', 100)
_LIVE = (0x17, 0x1C)          # ESTABLISHED, CLOSE_WAIT


def _oserror(e):
    # The OSError with an errno that a driver's exception stands for (ConnectionError, an
    # OSError whose argument is a message, is the cable: 'The Ethernet connection is down.').
    if isinstance(e, OSError) and e.args and e.args[0].__class__ is int:
        return e
    if e.__class__.__name__ == 'ConnectionError' or 'down' in str(e):
        return OSError(LINK)
    return OSError(RESET)


class PySocket:
    def __init__(self, s):
        self.s = s

    def _status(self):
        try:
            return self.s._status
        except Exception:
            return None

    def ready(self, events):
        # Whether a poll would report it for events (POLLIN 1, POLLOUT 4): a listener when
        # the chip holds a client in it, a connection when bytes came or it ended.
        st = self._status()
        if st is None:
            return events
        if getattr(self.s, '_listen_port', None) is not None:  # a listener
            return 0 if st == 0x14 or st == 0x16 else 1  # LISTEN, SYNRECV: nobody yet
        if events & 4:
            return 4
        try:
            return 1 if st not in _LIVE or self.s._available() else 0
        except Exception:
            return 1

    def accept(self):
        # The WIZnet driver's accept, without its failure: the client stays on the listener's
        # hardware socket, which a new socket object takes; the listener object re-arms on a
        # free hardware socket. If that one has already taken the next client, so be it: the
        # next accept() returns that one (the driver raised there and lost the first).
        s = self.s
        st = self._status()
        if st is None:  # not the WIZnet driver's: its own accept
            try:
                c, addr = s.accept()
            except Exception as e:
                raise _oserror(e)
            return PySocket(c), addr
        if st == 0x14 or st == 0x16:  # LISTEN, SYNRECV: nobody yet
            raise OSError(AGAIN)
        if st not in _LIVE:  # the chip closed it (cable pulled): listen again, in place,
            try:             # at every poll until the cable is back (no gap after it is)
                s.listen()
            except Exception:
                pass
            raise OSError(AGAIN)
        try:
            c = s._socket_pool.socket()  # reserves a free hardware socket (CLOSED)
        except Exception:  # "All sockets in use": the client waits in the chip
            raise OSError(AGAIN)
        c._socknum, s._socknum = s._socknum, c._socknum
        try:
            s.listen()
        except Exception:
            pass  # (cable out: the next accept() finds it closed)
        return PySocket(c), None

    def send(self, data):
        s = self.s
        s.settimeout(0.002)
        try:
            return s.send(data)
        except Exception as e:
            m = str(e)
            if 'timed out' in m:  # written to the chip; its SEND_OK is late: taken
                return min(len(data), 2048)
            if 'Unable to write' in m and self._status() in _LIVE:
                raise OSError(AGAIN)  # no TX room yet
            raise _oserror(e)
        finally:
            try:
                s.settimeout(0)
            except Exception:
                pass

    def recv_into(self, buf, n=0):
        try:
            return self.s.recv_into(buf, n)
        except Exception as e:
            raise _oserror(e)

    def close(self):
        try:
            self.s.close()
        except Exception:
            pass

    def setblocking(self, flag):
        self.s.setblocking(flag)

    def setsockopt(self, *a):
        self.s.setsockopt(*a)
