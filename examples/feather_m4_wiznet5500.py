"""CircuitPython on a Feather M4 Express with the Ethernet FeatherWing (WIZnet W5500): the
original prometheus_express board. The server keeps serving through the W5500's socket
errors, cable pulls and reconnect bursts, with 3 sockets listening (the chip has no accept
queue) and no socket leaked (README: "The old library's board").

Copy to CIRCUITPY as code.py with lib/prometheus_express (.py) and adafruit_wiznet5k.
"""
import time

import board
import busio
import digitalio
# The driver first: its largest module compiles while the heap is whole (a Feather M4 has
# ~160 KB; with ours loaded first, the driver's compile no longer finds the room). Ours is
# in small modules that each compile in what is left.
import adafruit_wiznet5k.adafruit_wiznet5k_socketpool as socketpool
from adafruit_wiznet5k.adafruit_wiznet5k import WIZNET5K

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express._sockets import Net
from prometheus_express.board import BoardCollector
from prometheus_express.server import MetricsServer

PORT = 8080


def setup(eth=None, pool=None, sensor=None):
    if eth is None:
        cs = digitalio.DigitalInOut(board.D10)
        eth = WIZNET5K(busio.SPI(board.SCK, MOSI=board.MOSI, MISO=board.MISO), cs)
        pool = socketpool.SocketPool(eth)
    registry = CollectorRegistry(namespace='prom_express')  # names as in the 0.0.4 README
    temperature = Gauge('temperature', 'Temperature from the sensor.', ['sensor'],
                        registry=registry)
    loops = Counter('loops', 'Main loop iterations.', registry=registry)
    BoardCollector(registry)
    # Listening sockets and connections fit the chip's 8 sockets by default (3 and 4)
    server = MetricsServer(PORT, '0.0.0.0', registry, net=Net(pool), timeout=2.0)
    return {'eth': eth, 'sensor': sensor, 'temperature': temperature, 'loops': loops,
            'server': server, 'registry': registry}


def loop_once(state):
    if state['sensor'] is not None:
        state['temperature'].labels('sht31').set(state['sensor'].temperature)
    state['loops'].inc()
    state['server'].poll(0.5)


def main():
    state = setup()
    print('serving http://%s:%d/metrics' % (state['eth'].pretty_ip(state['eth'].ip_address),
                                            PORT))
    while True:
        loop_once(state)
        time.sleep(0.01)


if __name__ == '__main__':
    main()
