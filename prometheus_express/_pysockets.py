# Sockets of a socketpool written in Python, made to behave as the server needs: never
# waiting, no socket lost. Two drivers' sockets are known by what they hold (their private
# names are read here: this module is the one place that knows them):
# - PySocket: the WIZnet W5500 driver's (adafruit_wiznet5k, the old prometheus_express
#   board's), and any other with accept/send/recv_into;
# - EspSocket: the ESP32-SPI driver's (adafruit_esp32spi, AirLift boards), whose co-processor
#   (nina-fw) is asked directly.
#
# Imported on: CircuitPython (and CPython) with such a socketpool, when a server listens on
# it (_sockets.Net.listen finds that select cannot poll its sockets).
#
# What the WIZnet driver does that a server must not meet:
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
#
# What the ESP32-SPI driver does that a server must not meet:
# - accept() asks the co-processor for a client and raises ECONNRESET when there is none;
#   the co-processor takes the client into a free socket when asked (AVAIL_DATA_TCP on the
#   listener), so asking is accepting: ready() asks once and keeps the answer for accept().
# - recv_into() with timeout 0 returns 0 for "nothing yet", not only at the end: here the
#   socket's state tells them apart (EAGAIN while ESTABLISHED).
# - send() runs a full garbage collection after every call, and its socket_write sends every
#   64-byte piece even after one failed: the co-processor is written to directly. Its write
#   waits for send room in the co-processor (nina-fw: up to 10 tries of a second without
#   progress) and no command tells the room beforehand: a client that stops reading with
#   more than its window unread holds the board once, then it is closed (a timeout).
import errno
from time import sleep

from ._clock import elapsed, ticks

AGAIN = getattr(errno, 'EAGAIN', 11)
TIMEOUT = getattr(errno, 'ETIMEDOUT', 110)
RESET = getattr(errno, 'ECONNRESET', 104)
LINK = getattr(errno, 'ENETDOWN', 100)
_LIVE = (0x17, 0x1C)          # ESTABLISHED, CLOSE_WAIT


def _oserror(e):
    # The OSError with an errno that a driver's exception stands for (ConnectionError, an
    # OSError whose argument is a message, is the cable: 'The Ethernet connection is down.').
    # A MemoryError stays one (the driver found no heap for a buffer: the server answers
    # that as a full heap, not as a client's reset).
    if isinstance(e, OSError) and e.args and e.args[0].__class__ is int or \
            isinstance(e, MemoryError):
        return e
    if e.__class__.__name__ == 'ConnectionError' or 'down' in str(e):
        return OSError(LINK)
    return OSError(RESET)


class PySocket:
    def __init__(self, s):
        self.s = s

    def _status(self):
        # The chip's state of the socket, or None where the socket is not the WIZnet
        # driver's. Reading it allocates (the driver's SPI buffers): on a full heap that
        # raises MemoryError, which must not pass for another driver (whose accept() would
        # then fail and close the listener).
        try:
            return self.s._status
        except MemoryError:
            raise
        except Exception:
            return None

    def ready(self, events):
        # Whether a poll would report it for events (POLLIN 1, POLLOUT 4): a listener when
        # the chip holds a client in it, a connection when bytes came or it ended.
        try:
            st = self._status()
        except MemoryError:
            return 0  # no heap to ask the chip now: the next poll asks again
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


class EspSocket:
    # A socket of the ESP32-SPI driver: s its object (for the listener), i its co-processor
    # interface, n the co-processor's socket number; c, on a listener, the number of a client
    # the co-processor took that accept() has not handed out yet.

    def __init__(self, s, n=None, t=None):
        self.s = s
        self.i = s._interface
        self.n = s._socknum if n is None else n
        self.nb = bytes((self.n,))
        self.listener = n is None
        self.c = None
        self.t = t  # a client's timeout (push, remote write: Net.connect)

    def ready(self, events):
        i = self.i
        try:
            if self.listener:
                if self.c is None:
                    k = i.socket_available(self.n)
                    self.c = None if k == 255 else k
                return 0 if self.c is None else 1
            if events & 4:
                return 4
            return 1 if i.socket_available(self.n) or i.socket_status(self.n) != 4 else 0
        except Exception:
            return events  # the call that follows says what went wrong

    def accept(self):
        if self.c is None:
            self.ready(1)
        k = self.c
        if k is None:
            raise OSError(AGAIN)
        self.c = None
        return EspSocket(self.s, k), None

    def recv_into(self, buf, n=0):
        i = self.i
        try:
            k = i.socket_available(self.n)
            if k:
                data = i.socket_read(self.n, min(n or len(buf), k, 4000))
            elif i.socket_status(self.n) != 4:  # not ESTABLISHED: the peer has gone
                return 0
        except Exception as e:
            raise _oserror(e)
        if not k:
            raise OSError(AGAIN)
        buf[:len(data)] = data
        return len(data)

    def send(self, data):
        # 64 bytes a command, as the driver's socket_write sends them, but stopping at the
        # first the co-processor could not write (the driver's goes on to the end, each
        # piece waiting as long) and without its "data sent" command (a no-op in nina-fw).
        i = self.i
        mv = memoryview(data)
        done = 0
        try:
            while done < len(mv):
                piece = mv[done:done + 64]
                k = i._send_command_get_response(0x44, (self.nb, piece), sent_param_len_16=True)
                k = k[0][0]
                done += k
                if k < len(piece):
                    break
        except Exception as e:  # the co-processor is busy past the driver's patience
            if e.__class__.__name__ == 'TimeoutError':
                raise OSError(TIMEOUT)
            raise _oserror(e)
        if done < len(mv):  # nina-fw's write failed: the client went, or it gave up
            try:            # waiting for room (the client is stuck)
                st = i.socket_status(self.n)
            except Exception:
                st = 4
            raise OSError(TIMEOUT if st == 4 else RESET)
        return done

    def recv(self, n):
        # A client's read (push, remote write), waiting up to its timeout: b'' at the end.
        # (The driver's recv returns all n bytes of its buffer, however few came.)
        b = bytearray(n)
        t0 = ticks()
        while True:
            try:
                return b[:self.recv_into(b, n)]
            except OSError as e:
                if e.args[0] != AGAIN:
                    raise
            if self.t is not None and elapsed(t0) > self.t:
                raise OSError(TIMEOUT)
            sleep(0.005)

    def close(self):
        try:
            self.i.socket_close(self.n)
        except Exception:
            pass

    def settimeout(self, t):
        self.t = t

    def setblocking(self, flag):
        pass

    def setsockopt(self, *a):
        pass

