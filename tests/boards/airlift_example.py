# examples/airlift_esp32spi.py unchanged on the emulated AirLift co-processor (the unmodified
# Adafruit ESP32-SPI driver over tests/esp32spi/nina.py), then a push and a remote write
# through the co-processor's client sockets, the server still listening (a connection to
# 192.168.1.1:P is carried to 127.0.0.1:P):
#   airlift_example.py HOST_PORT CONTROL GATEWAY_PORT RECEIVER_PORT
# Serves the example's page on 127.0.0.1:HOST_PORT until CONTROL says 'stop'; then prints
# READY..., PUSHED n, SENT n and the co-processor's socket table (START, END).
import sys
import time

from airlift import command, coprocessor_and_pool

import airlift_esp32spi as example  # noqa: E402

HOST_PORT, CONTROL, GATEWAY, RECEIVER = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                         int(sys.argv[4]))
cop, esp, pool = coprocessor_and_pool({example.PORT: HOST_PORT})


class Sensor:
    temperature = 23.5


start = cop.table()
state = example.setup(esp=esp, sensor=Sensor())
print('READY')
try:
    sys.stdout.flush()
except AttributeError:
    pass
n = 0
while True:
    example.loop_once(state)
    n += 1
    if n % 10 == 0 and command(CONTROL) == 'stop':
        break
# A push and a remote write while the server listens, as a board that both serves and
# pushes does (a socket number that listened once stays a listener in nina-fw: a client
# socket given that number after the server closed would be asked for clients, not bytes).
from prometheus_express._sockets import Net  # noqa: E402
import prometheus_express.push as push  # noqa: E402
from prometheus_express.push import push_to_gateway  # noqa: E402
net = Net(pool)
push.NET = net
push_to_gateway('192.168.1.1:%d' % GATEWAY, 'airlift', state['registry'])
print('PUSHED 1')
from prometheus_express.remote_write import RemoteWriter  # noqa: E402
w = RemoteWriter('http://192.168.1.1:%d/api/v1/write' % RECEIVER, state['registry'],
                 labels={'job': 'airlift', 'instance': 'm4'}, net=net)
w.snapshot()
time.sleep(1)
print('SENT', w.write())
state['server'].close()
print('START', start)
print('END', cop.table())
cop.close()
