# Where a request's time goes, in-process on a board interpreter (no sockets, no wrk):
#   MICROPYPATH=.frozen:.:tests ../shared/tools/micropython-board -X heapsize=96k bench/board_profile.py [N]
# N labelled series (default 10) of one Gauge; each figure is the mean of 2,000 rounds:
#   page          the page written into an answer buffer (page.page)
#   values' text  N values formatted (fmt: repr of a float), a part of the page
#   answer        the page's whole answer with its kept head and framing (answer.answer)
#   request       a whole keep-alive request through MetricsServer.poll() over the in-memory
#                 network of the tests (tests/fakenet.py), less an empty poll of it (its
#                 sockets are Python objects: their calls count too)
#   collection    one gc.collect() (the server runs one every 8 buffers of page)
import gc
import sys
import time

from fakenet import FakeNet
from prometheus_express import CollectorRegistry, Gauge
from prometheus_express._format import fmt
from prometheus_express.answer import RESERVE, answer, dispatch, new_buffer
from prometheus_express.connections import READ
from prometheus_express.http import parse_head
from prometheus_express.page import page
from prometheus_express.server import MetricsServer

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10
ROUNDS = 2000
GET = b'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'
r = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
for i in range(N):
    g.labels('sensor-%d' % i).set(i + 0.5)
values = [i + 0.5 for i in range(N)]
buf = new_buffer(512)
req = parse_head(GET)
req.head = bytearray(GET)
req.resp = resp = dispatch(req, r, None)
net = FakeNet()
server = MetricsServer(8080, '0.0.0.0', r, net=net)
client = net.client(GET)
for _ in range(5):
    server.poll(0)
assert b' 200 OK' in bytes(client.out)
conn, = server._conns.values()


def run(what):
    t = time.ticks_us()
    for _ in range(ROUNDS):
        what()
    return time.ticks_diff(time.ticks_us(), t) / ROUNDS


def render():
    buf[RESERVE:] = b''
    for _ in page(r, buf.extend, False, buf, 1 << 20):
        pass


def texts():
    for v in values:
        fmt(v)


def whole():
    for _ in answer(req, resp, True, buf, 512):
        pass


def request():
    client.out = bytearray()
    client.feed(GET)
    server.poll(0)
    while conn.state != READ or conn.gen is not None:  # a page of several buffers
        server.poll(0)


def empty():
    server.poll(0)


gc.collect()
idle = run(empty)
print('%d series, micro-seconds a round:' % N)
print('page          %6.1f' % run(render))
print("values' text  %6.1f" % run(texts))
print('answer        %6.1f' % run(whole))
print('request       %6.1f' % (run(request) - idle))
print('collection    %6.1f' % run(gc.collect))
server.close()
