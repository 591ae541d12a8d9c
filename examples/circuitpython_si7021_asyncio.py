"""CircuitPython on a Wi-Fi board (ESP32-S2/S3, Pico W) with an SI7021: asyncio tasks for the
sensor and the exporter, sockets from socketpool.

Copy to CIRCUITPY as code.py, with lib/prometheus_express (.py files: tools/build_lib.py --py)
and adafruit_si7021. Wi-Fi credentials come from settings.toml (CIRCUITPY_WIFI_SSID/PASSWORD).
"""
import asyncio

import board
import socketpool
import wifi

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express._sockets import Net
from prometheus_express.board import BoardCollector
from prometheus_express.server import MetricsServer

PORT = 8080


def setup(sensor=None, net=None):
    if sensor is None:
        import adafruit_si7021
        sensor = adafruit_si7021.SI7021(board.I2C())
    registry = CollectorRegistry()
    temperature = Gauge('temperature', 'Air temperature.', ['sensor'], unit='celsius',
                        registry=registry)
    humidity = Gauge('humidity', 'Relative humidity.', ['sensor'], unit='percent',
                     registry=registry)
    BoardCollector(registry)
    server = MetricsServer(PORT, '0.0.0.0', registry,
                           net=net or Net(socketpool.SocketPool(wifi.radio)))
    return {'sensor': sensor, 'temperature': temperature, 'humidity': humidity,
            'server': server, 'registry': registry}


async def read_sensor(state, every_s=5.0, rounds=None):
    n = 0
    while rounds is None or n < rounds:
        state['temperature'].labels('si7021').set(state['sensor'].temperature)
        state['humidity'].labels('si7021').set(state['sensor'].relative_humidity)
        n += 1
        await asyncio.sleep(every_s)


async def serve(state, rounds=None):
    n = 0
    while rounds is None or n < rounds:
        state['server'].poll(0)       # never waits: the other tasks keep running
        n += 1
        await asyncio.sleep(0.05)


async def run(state, rounds=None, every_s=5.0):
    await asyncio.gather(read_sensor(state, every_s, rounds), serve(state, rounds))


def main():
    print('serving http://%s:%d/metrics' % (wifi.radio.ipv4_address, PORT))
    asyncio.run(run(setup()))


if __name__ == '__main__':
    main()
