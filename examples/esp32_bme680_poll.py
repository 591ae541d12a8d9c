"""MicroPython on an ESP32 with a BME680 on I2C: serve /metrics over Wi-Fi from the sensor loop.

Copy to the board as main.py, with lib/prometheus_express (tools/build_lib.py) and a BME680
driver (e.g. micropython-lib's or any with .temperature/.humidity/.pressure/.gas).
Prometheus scrape config: examples/prometheus.yml.
"""
import time

import machine
import network

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express.board import BoardCollector
from prometheus_express.server import MetricsServer

WIFI_SSID = 'my-network'
WIFI_PASSWORD = 'my-password'
PORT = 8080


def connect_wifi(timeout_s=20):
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if not wlan.isconnected():
        wlan.connect(WIFI_SSID, WIFI_PASSWORD)
        start = time.ticks_ms()
        while not wlan.isconnected():
            if time.ticks_diff(time.ticks_ms(), start) > timeout_s * 1000:
                raise OSError('Wi-Fi did not connect')
            time.sleep_ms(200)
    return wlan.ifconfig()[0]


def setup(sensor=None, net=None):
    """Metrics, the sensor and the server; returns the state loop_once() takes."""
    if sensor is None:
        from bme680 import BME680_I2C
        sensor = BME680_I2C(machine.I2C(0, scl=machine.Pin(22), sda=machine.Pin(21)))
    registry = CollectorRegistry()
    g = {
        'temperature': Gauge('temperature', 'Air temperature.', ['sensor'], unit='celsius',
                             registry=registry),
        'humidity': Gauge('humidity', 'Relative humidity.', ['sensor'], unit='percent',
                          registry=registry),
        'pressure': Gauge('pressure', 'Air pressure.', ['sensor'], unit='hpa',
                          registry=registry),
        'gas': Gauge('gas_resistance', 'VOC sensor resistance.', ['sensor'], unit='ohms',
                     registry=registry),
    }
    errors = Counter('sensor_read_errors', 'Failed sensor reads.', ['sensor'],
                     registry=registry)
    BoardCollector(registry)
    server = MetricsServer(PORT, '0.0.0.0', registry, net=net)
    return {'sensor': sensor, 'g': g, 'errors': errors, 'server': server,
            'registry': registry}


def loop_once(state, wait_s=2.0):
    """Read the sensor once, then serve scrapes for up to wait_s seconds."""
    s = state['sensor']
    try:
        state['g']['temperature'].labels('bme680').set(s.temperature)
        state['g']['humidity'].labels('bme680').set(s.humidity)
        state['g']['pressure'].labels('bme680').set(s.pressure)
        state['g']['gas'].labels('bme680').set(s.gas)
    except OSError:  # a loose wire: count it, keep serving
        state['errors'].labels('bme680').inc()
    state['server'].poll(wait_s)


def main():
    ip = connect_wifi()
    print('serving http://%s:%d/metrics' % (ip, PORT))
    state = setup()
    while True:
        loop_once(state)


if __name__ == '__main__':
    main()
