"""MicroPython on a Pico W (or an ESP32) that already serves a page with microdot: /metrics
on the same server, socket and buffer, and a soil sensor whose series leaves the page while
it fails (a gap in Grafana, not its last value drawn flat).

Copy to the board as main.py, with lib/prometheus_express (tools/build_lib.py) and microdot
(`mip.install('microdot')`). Prometheus scrape config: examples/prometheus.yml.
"""
import asyncio
import time

import machine
import network
from microdot import Microdot

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express.microdot_metrics import add_metrics
from prometheus_express.staleness import reading

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


def setup(adc=None):
    """The app (its own page on /, ours on /metrics) and the state read_once() takes."""
    registry = CollectorRegistry()
    moisture = Gauge('soil_moisture_ratio', 'Soil moisture, 0 dry to 1 wet.', ['bed'],
                     registry=registry, expire=300)  # silent for 5 min: off the page
    failures = Counter('sensor_read_errors', 'Failed sensor reads.', ['bed'],
                       registry=registry)
    state = {'adc': adc or machine.ADC(26), 'moisture': moisture, 'failures': failures}
    app = Microdot()

    @app.route('/')
    def index(request):
        return 'soil moisture, bed north: %s' % state.get('last', 'no reading yet')

    add_metrics(app, registry)
    state['app'] = app
    return state


def read_once(state):
    """Read the sensor; a failed read takes the series off the page and is counted."""
    with reading(state['moisture'], 'north', failures=state['failures']):
        ratio = state['adc'].read_u16() / 65535
        if ratio > 0.99:  # a shorted probe reads full scale
            raise OSError('probe shorted')
        state['moisture'].labels('north').set(ratio)
        state['last'] = ratio


async def sensor_loop(state, every_s=5, rounds=None):
    while rounds is None or rounds > 0:
        read_once(state)
        await asyncio.sleep(every_s)
        if rounds is not None:
            rounds -= 1


async def main_async(state, host='0.0.0.0', port=PORT):
    asyncio.create_task(sensor_loop(state))
    await state['app'].start_server(host=host, port=port)


def main():
    ip = connect_wifi()
    print('serving http://%s:%d/ and /metrics' % (ip, PORT))
    asyncio.run(main_async(setup()))


if __name__ == '__main__':
    main()
