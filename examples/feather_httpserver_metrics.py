"""CircuitPython on a Feather (ESP32-S2/S3 Wi-Fi, or an M4 with a WIZnet FeatherWing) that
already serves a page with adafruit_httpserver: /metrics is one more route on that server.

Copy to the board as code.py, with lib/prometheus_express and adafruit_httpserver (circup
install adafruit_httpserver); for Wi-Fi, CIRCUITPY_WIFI_SSID/PASSWORD in settings.toml.
Prometheus scrape config: examples/prometheus.yml.
"""
import time

from adafruit_httpserver import Response, Server

from prometheus_express import CollectorRegistry, Counter, Gauge
from prometheus_express.httpserver_metrics import add_metrics

PORT = 8080


def wifi_pool():
    import socketpool
    import wifi
    return socketpool.SocketPool(wifi.radio), str(wifi.radio.ipv4_address)


def setup(pool, sensor=None):
    """The server (its own page on /, ours on /metrics) and the state loop_once() takes."""
    if sensor is None:
        import board
        import adafruit_sht4x
        sensor = adafruit_sht4x.SHT4x(board.I2C())
    registry = CollectorRegistry()
    temperature = Gauge('temperature_celsius', 'Air temperature.', ['sensor'],
                        registry=registry)
    errors = Counter('sensor_read_errors', 'Failed sensor reads.', ['sensor'],
                     registry=registry)
    server = Server(pool, debug=False)

    @server.route('/')
    def index(request):
        return Response(request, 'greenhouse board')

    add_metrics(server, registry)
    return {'sensor': sensor, 'temperature': temperature, 'errors': errors,
            'server': server, 'read_at': None}


def loop_once(state, every_s=2.0):
    """Read the sensor every every_s seconds; serve what is waiting."""
    now = time.monotonic()
    if state['read_at'] is None or now - state['read_at'] >= every_s:
        state['read_at'] = now
        try:
            state['temperature'].labels('sht40').set(state['sensor'].temperature)
        except (OSError, RuntimeError):  # a loose wire: count it, keep serving
            state['errors'].labels('sht40').inc()
    try:
        state['server'].poll()
    except OSError:  # (a socketpool's "nobody came", or a client that went away)
        pass


def main():
    pool, ip = wifi_pool()
    state = setup(pool)
    state['server'].start(ip, PORT)
    print('serving http://%s:%d/ and /metrics' % (ip, PORT))
    while True:
        loop_once(state)


if __name__ == '__main__':
    main()
