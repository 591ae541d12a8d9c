"""MicroPython on a Pico W that samples every minute and sends remote writes to Prometheus
(--web.enable-remote-write-receiver), Mimir or VictoriaMetrics; while Wi-Fi or the receiver
is away it keeps the samples (bounded) and sends the backlog, oldest first, when it's back.

The clock must be set before sampling (ntptime here), or RemoteWriter refuses with
ClockNotSetError rather than send samples from the year 2000. The backlog is kept in a file
on flash (BACKLOG_FILE, at most 64 KB), so neither a reset nor deepsleep loses it; without
path= it is kept in RAM (lightsleep keeps that, deepsleep does not).
"""
import time

import machine
import network

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express.remote_write import RemoteWriter

WIFI_SSID = 'my-network'
WIFI_PASSWORD = 'my-password'
RECEIVER = 'http://192.168.1.10:9090/api/v1/write'
EVERY_MS = 60 * 1000
BACKLOG_FILE = '/remote_write.buf'


def setup(net=None, clock=None, path=None):
    registry = CollectorRegistry()
    state = {
        'soil': Gauge('soil_moisture_ratio', 'Soil moisture (0 dry, 1 wet).', ['bed'],
                      registry=registry),
        'samples': Counter('samples', 'Readings taken.', registry=registry),
        'registry': registry,
    }
    kw = {'net': net} if net is not None else {}
    if clock is not None:
        kw['clock'] = clock
    if path is not None:
        kw['path'] = path
    state['writer'] = RemoteWriter(RECEIVER, registry,
                                   labels={'job': 'garden', 'instance': 'picow-1'},
                                   max_samples=2000, **kw)
    return state


def sample_once(state, adc=None):
    adc = adc or machine.ADC(26)
    state['soil'].labels('north').set(round(adc.read_u16() / 65535, 3))
    state['samples'].inc()
    return state['writer'].write()  # samples sent now (0 while offline: kept for later)


def main():
    import ntptime
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect(WIFI_SSID, WIFI_PASSWORD)
    while not wlan.isconnected():
        time.sleep_ms(200)
    ntptime.settime()
    state = setup(path=BACKLOG_FILE)
    while True:
        if not wlan.isconnected():
            wlan.connect(WIFI_SSID, WIFI_PASSWORD)
        sample_once(state)
        machine.lightsleep(EVERY_MS)


if __name__ == '__main__':
    main()
