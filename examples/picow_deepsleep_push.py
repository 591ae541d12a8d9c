"""MicroPython on a Pico W that wakes, reads, pushes to a Pushgateway, and deep-sleeps.

A sleeping board can't be scraped: it pushes. Each wake is a fresh boot, so counters start
from zero; the pushgateway keeps the last push (push_time_seconds tells when).
Copy as main.py with lib/prometheus_express. Prometheus scrapes the gateway with
honor_labels: true (examples/prometheus.yml).
"""
import time

import machine
import network

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.push import PushError, instance_ip_grouping_key, push_to_gateway

WIFI_SSID = 'my-network'
WIFI_PASSWORD = 'my-password'
GATEWAY = 'http://192.168.1.10:9091'
SLEEP_MS = 5 * 60 * 1000


def read(registry, adc=None):
    adc = adc or machine.ADC(26)
    soil = Gauge('soil_moisture_ratio', 'Soil moisture (0 dry, 1 wet).', ['bed'],
                 registry=registry)
    volts = Gauge('battery_volts', 'Battery voltage.', registry=registry)
    soil.labels('north').set(round(adc.read_u16() / 65535, 3))
    volts.set(round(machine.ADC(29).read_u16() * 3 * 3.3 / 65535, 3))


def wake_once(adc=None):
    """One wake: read and push. Returns True if the push landed."""
    registry = CollectorRegistry()
    read(registry, adc)
    try:
        push_to_gateway(GATEWAY, 'garden', registry, instance_ip_grouping_key(), timeout=10)
        return True
    except (OSError, PushError) as e:  # no network or gateway: try again next wake
        print('push failed:', e)
        return False


def main():
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect(WIFI_SSID, WIFI_PASSWORD)
    for _ in range(50):
        if wlan.isconnected():
            break
        time.sleep_ms(200)
    wake_once()
    wlan.active(False)
    machine.deepsleep(SLEEP_MS)


if __name__ == '__main__':
    main()
