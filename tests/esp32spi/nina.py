"""An ESP32 co-processor running Adafruit's NINA firmware (nina-fw 3.3.0), emulated at its SPI
command level, so that the unmodified Adafruit driver (adafruit_esp32spi 11.1.4, PyPI
`adafruit-circuitpython-esp32spi`) and its socketpool run on CPython and on the board
interpreters with no board. The boards: AirLift (Metro M4 AirLift, PyPortal, the AirLift
FeatherWing on a Feather M4), the ESP32-SPI socketpool of issue 18.

The fake `busio`, `digitalio` and `board` of ../shared/tools/w5500 carry the bytes: the driver
selects the co-processor with its chip-select pin, writes a command frame, deselects, and
selects it again to read the reply; the co-processor's READY pin (read by the driver) is low
while it is idle and high while it is selected. Frames, as in nina-fw's CommandHandler.cpp:

    command  0xE0, cmd, nparams, (len, bytes) per param, 0xEE, padding to 4 bytes
             (2-byte lengths for SEND_DATA_TCP and GET_DATABUF_TCP)
    reply    0xE0, cmd | 0x80, nparams, (len, bytes) per param, 0xEE (0xEF: no such command)

Each of the firmware's 6 sockets (CONFIG_LWIP_MAX_SOCKETS) that serves or connects gets a real
host TCP socket, on 127.0.0.1 only:

    START_SERVER_TCP port P  -> a host listener on 127.0.0.1:port_map[P], with lwIP's accept
                                queue (backlog 4, as NetworkServer::begin gives it)
    AVAIL_DATA_TCP listener  -> accept one client into a free socket (the firmware's two ways,
                                chosen as it chooses them by the frame's byte 6: with a
                                non-zero byte, nobody is taken when no socket is free;
                                with zero, the client is taken first and, with no socket
                                free, dropped: its peer sees the connection closed)
    START_CLIENT_TCP ip:P    -> a host connection to 127.0.0.1:connect_map.get(P, P)
    SEND_DATA_TCP            -> into lwIP's send buffer (5,744 bytes, TCP_SND_BUF), handed to
                                the host socket as it takes it; when full, NetworkClient::write
                                waits for room, up to 10 tries of a second each without
                                progress (the co-processor and the board's program wait with
                                it), then reports what it wrote
    GET_DATABUF_TCP / AVAIL  -> bytes the host socket received (at most lwIP's 5,744-byte
                                window held)

Kept as the firmware keeps it: STOP_CLIENT_TCP on a listening socket frees the socket number
but the listener goes on listening (NetworkServer is never ended); START_SERVER_TCP on the
same socket and port again is accepted; GET_SOCKET hands out the first free number without
reserving it.

Not emulated: Wi-Fi (SET_NET / SET_PASSPHRASE connect at once; status WL_CONNECTED), scans,
UDP, TLS, DNS beyond dotted addresses and 'localhost', pins and ADC, timing (SPI is
instantaneous: requests/s here say nothing of a board's). The host adds its own send buffer
(16 KB, no Nagle wait) to lwIP's: a client that stops reading stalls the writes after ~21 KB
plus its window, where a board's would after ~6 KB plus its window. The peer's view of a
close: the host socket is closed once lwIP's buffer is sent (the peer reads end of file, or a
reset when it had sent bytes that were never read), as lwIP does.

    import board, digitalio, busio, nina
    cop = nina.Nina(board.D13, board.D11, board.D12, port_map={80: 18080})
    from adafruit_esp32spi import adafruit_esp32spi
    esp = adafruit_esp32spi.ESP_SPIcontrol(busio.SPI(board.SCK, board.MOSI, board.MISO),
        digitalio.DigitalInOut(board.D13), digitalio.DigitalInOut(board.D11),
        digitalio.DigitalInOut(board.D12))
"""
import socket as _socket
import sys
import time as _time

import busio

try:
    import select as _select
except ImportError:  # pragma: no cover
    _select = None

CPYTHON = sys.implementation.name == 'cpython'
LOOPBACK = '127.0.0.1'
MAX_SOCKETS = 6          # CONFIG_LWIP_MAX_SOCKETS in nina-fw's sdkconfig.defaults
WINDOW = 5744            # lwIP's TCP_WND (ESP-IDF default): what a socket holds unread
BACKLOG = 4              # NetworkServer's listen() backlog (its max clients)
WRITE_TRIES = 10         # WIFI_CLIENT_MAX_WRITE_RETRY
WRITE_WAIT_MS = 1000     # WIFI_CLIENT_SELECT_TIMEOUT_US
FIRMWARE = b'3.3.0\x00'

START, END, ERR, REPLY = 0xE0, 0xEE, 0xEF, 0x80
LEN16 = (0x40, 0x41, 0x44, 0x45, 0x46)  # commands whose parameters have 2-byte lengths
WL_IDLE, WL_CONNECTED = 0, 3
ESTABLISHED = 4
EAGAIN = (11, 115)  # EAGAIN/EWOULDBLOCK, EINPROGRESS


def _addr(port):
    return _socket.getaddrinfo(LOOPBACK, port)[0][-1]


def _peer(addr):
    """(ip bytes, port) from accept()'s address: a tuple (CPython) or a raw sockaddr."""
    if isinstance(addr, tuple):
        return bytes([int(x) for x in addr[0].split('.')]), addr[1]
    return bytes(addr[4:8]), (addr[2] << 8) | addr[3]


if CPYTHON:
    def _now():
        return _time.monotonic()

    def _since(t):
        return _time.monotonic() - t
else:
    def _now():
        return _time.ticks_ms()

    def _since(t):
        return _time.ticks_diff(_time.ticks_ms(), t) / 1000


def _host_buffers(s):
    """The host socket adds little to lwIP's buffers: segments go at once (no Nagle wait
    for loopback's 64 KB segments) and its send buffer holds 16 KB (Linux doubles the 8 KB
    asked for), so a peer that stops reading stalls the co-processor's writes after about
    21 KB plus the peer's window."""
    for level, opt, v in ((6, 1, 1), (_socket.SOL_SOCKET, getattr(_socket, 'SO_SNDBUF', 7),
                                       8192)):  # TCP_NODELAY; SO_SNDBUF
        try:
            s.setsockopt(level, opt, v)
        except Exception:
            pass


def _errno(e):
    return e.args[0] if e.args and isinstance(e.args[0], int) else getattr(e, 'errno', None)


class _Slot:
    """One of the firmware's sockets: socketTypes[i], tcpServers[i], tcpClients[i]."""

    def __init__(self):
        self.mode = None      # None (NO_MODE) or 'tcp'
        self.server = None    # the host listener (tcpServers[i]: never ended by STOP)
        self.server_port = None
        self.client = None    # the host connection (tcpClients[i])
        self.peer = (b'\x00\x00\x00\x00', 0)
        self.rx = b''
        self.tx = b''         # bytes written that lwIP has not handed on yet
        self.eof = False      # the peer closed its side (or reset)


class Nina:
    """The co-processor: cs, ready, reset are board pins (board.D13, D11, D12 on a Feather
    with the AirLift FeatherWing). port_map: the board's listening port -> 127.0.0.1 port
    (0: any); connect_map: a port the board connects to -> 127.0.0.1 port."""

    def __init__(self, cs, ready, reset=None, port_map=None, connect_map=None, trace=False):
        self.cs = cs
        self.ready = ready
        self.port_map = port_map or {}
        self.connect_map = connect_map or {}
        self.trace = trace
        self.host_ports = {}
        self.slots = [_Slot() for _ in range(MAX_SOCKETS)]
        self.status = WL_IDLE
        self.commands = 0
        self.dropped = 0      # clients taken and dropped for want of a free socket
        self._resolved = None  # the address REQ_HOST_BY_NAME found
        self._closing = []    # closed connections with bytes still to send
        self._frame = None    # the bytes of the command being written
        self._reply = None    # the reply waiting to be read
        self._pos = 0
        self._reading = False
        ready._value = False
        cs._listeners.append(self._cs_changed)
        if reset is not None:
            reset._listeners.append(self._reset_pin)
        busio.DEVICES.append(self)

    def log(self, msg):
        print('[nina] ' + msg)

    # -- pins and the SPI bus ----------------------------------------------------------
    def _reset_pin(self, value):
        if not value:  # held in reset: everything goes
            self.close()
            self.status = WL_IDLE

    def _cs_changed(self, value):
        if not value:  # selected: a reply is read, else a command is written
            self._reading = self._reply is not None
            if not self._reading:
                self._frame = bytearray()
            self.ready._value = True
            return
        self.ready._value = False
        if self._reading:
            self._reply = None
            self._reading = False
        elif self._frame is not None:
            frame, self._frame = self._frame, None
            if frame and frame[0] == START:
                try:
                    self._reply = self._command(frame)
                except MemoryError:  # the emulator shares the board interpreter's heap
                    self.log('no heap to emulate command %02x (not a board failure)' % frame[1])
                    self._reply = bytes([START, ERR, END])
                self._pos = 0

    @property
    def selected(self):
        return not self.cs._value

    def transfer(self, out, n=None):
        if out is None:
            out = bytes(n)
        if not self._reading:
            self._frame.extend(out)
            return b'\xff' * len(out)
        r = self._reply
        k = len(out)
        data = r[self._pos:self._pos + k]
        self._pos += k
        return data + b'\xff' * (k - len(data))

    # -- frames ------------------------------------------------------------------------
    def _command(self, f):
        self.commands += 1
        self._background()
        cmd = f[1]
        n = f[2]
        params = []
        i = 3
        wide = cmd in LEN16
        for _ in range(n):
            if wide:
                ln = (f[i] << 8) | f[i + 1]
                i += 2
            else:
                ln = f[i]
                i += 1
            params.append(bytes(f[i:i + ln]))
            i += ln
        fn = getattr(self, '_c%02x' % cmd, None)
        if self.trace:
            self.log('cmd %02x %r' % (cmd, params))
        if fn is None:
            return bytes([START, ERR, END])
        out = fn(params, f)
        wide = cmd == 0x45
        r = bytearray([START, cmd | REPLY, len(out)])
        for p in out:
            if wide:
                r.append(len(p) >> 8)
            r.append(len(p) & 0xFF)
            r.extend(p)
        r.append(END)
        return bytes(r)

    # -- the commands the driver's socketpool and Wi-Fi setup send ---------------------
    def _c10(self, p, f):  # SET_NET
        self.status = WL_CONNECTED
        return [b'\x01']

    _c11 = _c10  # SET_PASSPHRASE

    def _c20(self, p, f):  # GET_CONN_STATUS
        return [bytes([self.status])]

    def _c21(self, p, f):  # GET_IPADDR: ip, mask, gateway
        return [bytes([192, 168, 1, 20]), bytes([255, 255, 255, 0]), bytes([192, 168, 1, 1])]

    def _c22(self, p, f):  # GET_MACADDR (reversed, as the firmware sends it)
        return [bytes([0x56, 0x34, 0x12, 0xef, 0xbe, 0xde])]

    def _c30(self, p, f):  # DISCONNECT
        self.status = 6  # WL_DISCONNECTED
        return [b'\x01']

    def _c37(self, p, f):  # GET_FW_VERSION
        return [FIRMWARE]

    def _c34(self, p, f):  # REQ_HOST_BY_NAME
        name = p[0].decode()
        self._resolved = None  # (no DNS: dotted addresses and localhost)
        if name == 'localhost':
            self._resolved = bytes([127, 0, 0, 1])
        else:
            try:
                b = bytes([int(x) for x in name.split('.')])
                if len(b) == 4:
                    self._resolved = b
            except ValueError:
                pass
        return [b'\x01' if self._resolved else b'\x00']

    def _c35(self, p, f):  # GET_HOST_BY_NAME
        return [self._resolved or b'\x00\x00\x00\x00']

    def _c3f(self, p, f):  # GET_SOCKET: the first free number, not reserved
        for i, s in enumerate(self.slots):
            if s.mode is None:
                return [bytes([i])]
        return [b'\xff']

    def _c28(self, p, f):  # START_SERVER_TCP: port, socket, mode (or ip first)
        if len(p) == 4:
            p = p[1:]
        port = (p[0][0] << 8) | p[0][1]
        s = self.slots[p[1][0]]
        if p[2][0] != 0:
            return [b'\x00']  # UDP: not emulated
        if s.server is None or s.server_port != port:  # begin(): once per socket and port
            if s.server is not None:
                s.server.close()
                s.server = None
            hport = self.port_map.get(port, port)
            ls = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            try:
                ls.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
                _host_buffers(ls)
                ls.bind(_addr(self.host_ports.get(port, hport)))
                ls.listen(BACKLOG)
                ls.setblocking(False)
            except OSError as e:
                ls.close()
                if self.trace:
                    self.log('START_SERVER %d: %r' % (port, e))
                return [b'\x00']
            if not hport and port not in self.host_ports:
                self.host_ports[port] = ls.getsockname()[1]
            else:
                self.host_ports.setdefault(port, hport)
            s.server, s.server_port = ls, port
        s.mode = 'tcp'
        return [b'\x01']

    def _c29(self, p, f):  # GET_STATE_TCP: whether the socket listens
        return [b'\x01' if self.slots[p[0][0]].server is not None else b'\x00']

    def _c2a(self, p, f):  # DATA_SENT_TCP: a no-op in the firmware
        return [b'\x01']

    def _c2b(self, p, f):  # AVAIL_DATA_TCP
        n = p[0][0]
        s = self.slots[n]
        avail = 0
        if s.mode == 'tcp' and s.server is not None:
            avail = 255
            if f[6]:  # find a free socket first, then accept
                for i, t in enumerate(self.slots):
                    if t.mode is None:
                        if self._accept(s, t):
                            avail = i
                        break
            else:  # accept first, then find a free socket (none: the client is dropped)
                c = self._take(s)
                if c is not None:
                    for i, t in enumerate(self.slots):
                        if i != n and t.mode is None:
                            self._into(t, c)
                            avail = i
                            break
                    else:
                        self.dropped += 1
                        c[0].close()
        elif s.mode == 'tcp' and s.client is not None:
            avail = len(self._fill(s))
        return [bytes([avail & 0xFF, avail >> 8])]

    def _take(self, s):
        try:
            return s.server.accept()
        except OSError:
            return None

    def _accept(self, s, t):
        c = self._take(s)
        if c is None:
            return False
        self._into(t, c)
        return True

    def _into(self, t, c):
        sock, addr = c
        _host_buffers(sock)
        sock.setblocking(False)
        t.mode, t.client, t.peer, t.rx, t.eof = 'tcp', sock, _peer(addr), b'', False

    def _fill(self, s):
        """Take what the host socket received, up to the window."""
        while not s.eof and len(s.rx) < WINDOW:
            try:
                b = s.client.recv(WINDOW - len(s.rx))
            except OSError as e:
                if _errno(e) not in EAGAIN:
                    s.eof = True
                    s.rx = b''  # a reset: what was unread is gone
                break
            if not b:
                s.eof = True
                break
            s.rx += b
        return s.rx

    def _c45(self, p, f):  # GET_DATABUF_TCP: socket, length (little-endian)
        s = self.slots[p[0][0]]
        want = p[1][0] | (p[1][1] << 8)
        if s.mode != 'tcp' or s.client is None:
            return [b'']
        rx = self._fill(s)
        data, s.rx = rx[:want], rx[want:]
        return [data]

    def _c44(self, p, f):  # SEND_DATA_TCP: socket, data -> bytes written (16 bits)
        s = self.slots[p[0][0]]
        data = p[1]
        done = 0
        if s.mode == 'tcp' and s.client is not None:
            tries = WRITE_TRIES
            while done < len(data) and s.client is not None:
                room = WINDOW - len(s.tx)
                if room > 0:  # into lwIP's send buffer
                    k = min(room, len(data) - done)
                    s.tx += data[done:done + k]
                    done += k
                    tries = WRITE_TRIES
                    if len(s.tx) >= 1024:  # (the rest goes before the next command)
                        self._flush(s)
                    continue
                if not tries:
                    break
                tries -= 1
                if self._writable(s.client):  # (a second at most)
                    self._flush(s)
        return [bytes([done & 0xFF, done >> 8])]

    def _flush(self, s):
        """Hand what lwIP holds to the host socket, as far as it takes it now."""
        if not s.tx or s.client is None:
            return
        try:
            k = s.client.send(s.tx)
        except OSError as e:
            if _errno(e) in EAGAIN:
                return
            s.client.close()  # NetworkClient::write stops the client on an error
            s.client, s.rx, s.tx = None, b'', b''  # (its socket number stays taken)
            return
        s.tx = s.tx[k:]

    def _background(self):
        """What lwIP does between two commands: send what it holds, for every socket and
        for the closed ones whose last bytes the peer has not taken yet (given up after
        30 s, as a retransmission would be)."""
        for s in self.slots:
            if s.tx:
                self._flush(s)
        if self._closing:
            keep = []
            for z in self._closing:
                self._flush(z)
                if z.tx and _since(z.t) < 30:
                    keep.append(z)
                elif z.client is not None:
                    z.client.close()
            self._closing = keep

    def _writable(self, sock):
        if _select is None or not hasattr(_select, 'poll'):
            return True
        p = _select.poll()
        p.register(sock, _select.POLLOUT)
        return bool(p.poll(WRITE_WAIT_MS))

    def _c2d(self, p, f):  # START_CLIENT_TCP: (host,) ip, port, socket, mode
        if len(p) == 5:
            p = p[1:]
        port = (p[1][0] << 8) | p[1][1]
        s = self.slots[p[2][0]]
        if p[3][0] != 0:
            return []  # UDP, TLS: not emulated
        c = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        try:
            _host_buffers(c)
            c.settimeout(3)
            c.connect(_addr(self.connect_map.get(port, port)))
            c.setblocking(False)
        except OSError:
            c.close()
            return []
        if s.client is not None:
            s.client.close()
        s.mode, s.client, s.peer, s.rx, s.eof = 'tcp', c, (p[0], port), b'', False
        return [b'\x01']

    def _c2e(self, p, f):  # STOP_CLIENT_TCP
        self._stop(self.slots[p[0][0]])
        return [b'\x01']

    def _stop(self, s):
        if s.client is not None:
            self._flush(s)
            if s.tx and s.client is not None:  # lwIP sends the rest, then closes
                z = _Slot()
                z.client, z.tx, z.t = s.client, s.tx, _now()
                self._closing.append(z)
            else:
                s.client.close()
        s.client, s.rx, s.tx, s.eof, s.mode = None, b'', b'', False, None

    def _c2f(self, p, f):  # GET_CLIENT_STATE_TCP: ESTABLISHED (4) or CLOSED (0)
        s = self.slots[p[0][0]]
        if s.mode == 'tcp' and s.client is not None:
            self._fill(s)
            if not (s.eof and not s.rx):
                return [bytes([ESTABLISHED])]
        return [b'\x00']

    def _c3a(self, p, f):  # GET_REMOTE_DATA: ip, port (little-endian)
        s = self.slots[p[0][0]]
        ip, port = s.peer if s.client is not None else (b'\x00\x00\x00\x00', 0)
        return [ip, bytes([port & 0xFF, port >> 8])]

    # -- for tests ---------------------------------------------------------------------
    def table(self):
        """Each socket: '-' free, 'L' listening, 'C' a connection (a listener whose number
        was freed, still listening, shows 'l')."""
        out = ''
        for s in self.slots:
            if s.mode is None:
                out += 'l' if s.server is not None else '-'
            elif s.client is not None:
                out += 'C'
            else:
                out += 'L' if s.server is not None else '?'
        return out

    def close(self):
        for s in self.slots:
            self._stop(s)
            if s.server is not None:
                s.server.close()
                s.server, s.server_port = None, None
        for z in self._closing:
            z.client.close()
        self._closing = []
