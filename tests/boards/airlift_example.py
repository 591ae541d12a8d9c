# examples/airlift_esp32spi.py unchanged on the emulated AirLift co-processor (the unmodified
# Adafruit ESP32-SPI driver over tests/esp32spi/nina.py), then a push and a remote write
# through the co-processor's client sockets, the server still listening (a connection to
# 192.168.1.1:P is carried to 127.0.0.1:P):
#   airlift_example.py HOST_PORT CONTROL GATEWAY_PORT RECEIVER_PORT
# Serves the example's page on 127.0.0.1:HOST_PORT until CONTROL says 'stop'; then prints
# READY..., PUSHED n, SENT n and the co-processor's socket table (START, END).
import sys

from airlift import coprocessor_and_pool

from harness import command, push_and_write, say  # noqa: E402

import airlift_esp32spi as example  # noqa: E402

HOST_PORT, CONTROL, GATEWAY, RECEIVER = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                         int(sys.argv[4]))
cop, esp, pool = coprocessor_and_pool({example.PORT: HOST_PORT})


class Sensor:
    temperature = 23.5


start = cop.table()
state = example.setup(esp=esp, sensor=Sensor())
say('READY')
n = 0
while True:
    example.loop_once(state)
    n += 1
    if n % 10 == 0 and command(CONTROL) == 'stop':
        break
# A push and a remote write while the server listens, as a board that both serves and
# pushes does (a socket number that listened once stays a listener in nina-fw: a client
# socket given that number after the server closed would be asked for clients, not bytes).
push_and_write(pool, state['registry'], '192.168.1.1', GATEWAY, RECEIVER, 'airlift', 'm4')
state['server'].close()
print('START', start)
print('END', cop.table())
cop.close()
