# examples/feather_m4_wiznet5500.py unchanged on the emulated W5500 (the unmodified Adafruit
# driver over ../shared/tools/w5500), then a push and a remote write through the driver's
# CONNECT (the emulator carries a connection to 192.168.10.1:P to 127.0.0.1:P):
#   wiznet_example.py HOST_PORT CONTROL GATEWAY_PORT RECEIVER_PORT
# Serves the example's page on 127.0.0.1:HOST_PORT until CONTROL says 'stop'; then prints
# READY..., PUSHED n, SENT n and the socket tables (START, END).
import sys

import feather_m4_wiznet5500 as example

from wiznet_chip import chip_and_pool, table  # noqa: E402

from harness import command, push_and_write, say  # noqa: E402

HOST_PORT, CONTROL, GATEWAY, RECEIVER = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                         int(sys.argv[4]))
chip, eth, pool = chip_and_pool({example.PORT: HOST_PORT})


class Sensor:
    temperature = 23.5


start = table(eth)
state = example.setup(eth=eth, pool=pool, sensor=Sensor())
say('READY')
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
push_and_write(pool, state['registry'], '192.168.10.1', GATEWAY, RECEIVER, 'feather', 'm4')
print('START', start)
print('END', table(eth))
chip.close()
