"""CircuitPython on a board with an AirLift ESP32 Wi-Fi co-processor (nina-fw): the Feather
M4 with the AirLift FeatherWing, Metro M4 AirLift, PyPortal. The exporter serves through the
ESP32-SPI driver's socketpool: one socket listens (the co-processor queues clients), five
for connections, no socket leaked (README: "AirLift boards").

Copy to CIRCUITPY as code.py with lib/prometheus_express (.py), adafruit_esp32spi and
adafruit_bus_device; set CIRCUITPY_WIFI_SSID and CIRCUITPY_WIFI_PASSWORD in settings.toml.
The pins are the FeatherWing's; a Metro M4 AirLift or PyPortal names them board.ESP_CS,
board.ESP_BUSY, board.ESP_RESET.
"""
import os
import time

import board
import busio
import digitalio
# The driver first: its large module compiles while the heap is whole. Ours is in small
# modules that each compile in what is left.
from adafruit_esp32spi import adafruit_esp32spi
from adafruit_esp32spi import adafruit_esp32spi_socketpool as socketpool

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express._sockets import Net
from prometheus_express.board import BoardCollector
from prometheus_express.server import MetricsServer

PORT = 8080


def setup(esp=None, sensor=None):
    if esp is None:
        esp = adafruit_esp32spi.ESP_SPIcontrol(
            busio.SPI(board.SCK, board.MOSI, board.MISO), digitalio.DigitalInOut(board.D13),
            digitalio.DigitalInOut(board.D11), digitalio.DigitalInOut(board.D12))
        esp.connect_AP(os.getenv('CIRCUITPY_WIFI_SSID'), os.getenv('CIRCUITPY_WIFI_PASSWORD'))
    pool = socketpool.SocketPool(esp)
    registry = CollectorRegistry(namespace='prom_express')
    temperature = Gauge('temperature', 'Temperature from the sensor.', ['sensor'],
                        registry=registry)
    loops = Counter('loops', 'Main loop iterations.', registry=registry)
    BoardCollector(registry)
    # Listening sockets and connections fit the co-processor's 6 sockets by default (1, 5)
    server = MetricsServer(PORT, '0.0.0.0', registry, net=Net(pool), timeout=2.0)
    return {'esp': esp, 'pool': pool, 'sensor': sensor, 'temperature': temperature,
            'loops': loops, 'server': server, 'registry': registry}


def loop_once(state):
    if state['sensor'] is not None:
        state['temperature'].labels('sht31').set(state['sensor'].temperature)
    state['loops'].inc()
    state['server'].poll(0.5)


def main():
    state = setup()
    print('serving http://%s:%d/metrics' % (state['esp'].ipv4_address, PORT))
    while True:
        loop_once(state)
        time.sleep(0.01)


if __name__ == '__main__':
    main()
