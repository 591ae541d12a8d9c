# examples/feather_m4_wiznet5500.py unchanged on the emulated W5500 (the unmodified Adafruit
# driver over ../shared/tools/w5500), then a push and a remote write through the driver's
# CONNECT (the emulator carries a connection to 192.168.10.1:P to 127.0.0.1:P):
#   wiznet_example.py HOST_PORT CONTROL GATEWAY_PORT RECEIVER_PORT
# Serves the example's page on 127.0.0.1:HOST_PORT until CONTROL says 'stop'; then prints
# READY..., PUSHED n, SENT n and the socket tables (START, END).
import sys
import time

import feather_m4_wiznet5500 as example

from wiznet_chip import chip_and_pool, command, table  # noqa: E402

HOST_PORT, CONTROL, GATEWAY, RECEIVER = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                         int(sys.argv[4]))
chip, eth, pool = chip_and_pool({example.PORT: HOST_PORT})


class Sensor:
    temperature = 23.5


start = table(eth)
state = example.setup(eth=eth, pool=pool, sensor=Sensor())
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
state['server'].close()
del state['server']
import gc  # noqa: E402
gc.collect()
from prometheus_express._sockets import Net  # noqa: E402
import prometheus_express.push as push  # noqa: E402
from prometheus_express.push import push_to_gateway  # noqa: E402
net = Net(pool)
push.NET = net
push_to_gateway('192.168.10.1:%d' % GATEWAY, 'feather', state['registry'])
print('PUSHED 1')
from prometheus_express.remote_write import RemoteWriter  # noqa: E402
w = RemoteWriter('http://192.168.10.1:%d/api/v1/write' % RECEIVER, state['registry'],
                 labels={'job': 'feather', 'instance': 'm4'}, net=net)
w.snapshot()
time.sleep(1)
print('SENT', w.write())
print('START', start)
print('END', table(eth))
chip.close()
