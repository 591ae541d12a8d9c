"""The demo exporter: simulated BME680 and SI7021 sensors served at /metrics.

    python -m prometheus_express [--addr 127.0.0.1] [--port 8080] [--interval 1.0]

Imported on: CPython (and any MicroPython with a socket module: the same loop a board runs).
"""
import math
import random
import sys

from prometheus_express import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_express._clock import elapsed, ticks
from prometheus_express.routing import metrics_handler
from prometheus_express.routing import Router
from prometheus_express.server import MetricsServer


def build(registry):
    """The metrics of the original prometheus_express examples, by sensor."""
    g = {
        'gas': Gauge('prom_express_gas', 'Gas resistance from the bme680 sensor.', ['sensor'],
                     unit='ohms', registry=registry),
        'humidity': Gauge('prom_express_humidity', 'Relative humidity from both sensors.',
                          ['sensor'], unit='percent', registry=registry),
        'pressure': Gauge('prom_express_pressure', 'Air pressure from the bme680 sensor.',
                          ['sensor'], unit='hpa', registry=registry),
        'temperature': Gauge('prom_express_temperature', 'Temperature from both sensors.',
                             ['sensor'], unit='celsius', registry=registry),
    }
    reads = Counter('prom_express_sensor_reads', 'Sensor readings taken.', ['sensor'],
                    registry=registry)
    return g, reads


def read_sensors(g, reads, t):
    """Plausible, slowly drifting readings (what the I2C drivers would return)."""
    day = math.sin(t / 60.0)
    g['temperature'].labels('bme680').set(round(24.7 + 1.5 * day + random.uniform(-.05, .05), 4))
    g['temperature'].labels('si7021').set(round(24.3 + 1.5 * day + random.uniform(-.05, .05), 4))
    g['humidity'].labels('bme680').set(round(49.4 - 3 * day + random.uniform(-.2, .2), 4))
    g['humidity'].labels('si7021').set(round(49.8 - 3 * day + random.uniform(-.2, .2), 4))
    g['pressure'].labels('bme680').set(round(983.25 + random.uniform(-.3, .3), 2))
    g['gas'].labels('bme680').set(int(1060948 + random.uniform(-5000, 5000)))
    reads.labels('bme680').inc()
    reads.labels('si7021').inc()


def _stop(*args):
    raise KeyboardInterrupt


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(prog='python -m prometheus_express', description=__doc__.split('\n')[0])
    ap.add_argument('--addr', default='127.0.0.1', help='address to listen on (:: or ::1 for IPv6)')
    ap.add_argument('--port', type=int, default=8080, help='0-65535; 0: any free port')
    ap.add_argument('--interval', type=float, default=1.0, help='seconds between sensor reads')
    a = ap.parse_args(argv)
    if not 0 <= a.port <= 65535:
        ap.error('--port must be 0-65535, not %d' % a.port)
    if not 0 < a.interval < float('inf'):
        ap.error('--interval must be a positive number of seconds, not %s' % a.interval)

    registry = CollectorRegistry()
    g, reads = build(registry)
    requests = Counter('prom_express_http_requests', 'Requests served by path.', ['path'],
                       registry=registry)
    latency = Histogram('prom_express_http_request_duration_seconds',
                        'Time to answer a request.', ['path'],
                        buckets=(.0005, .001, .0025, .005, .01, .025, .05, .1, .25),
                        registry=registry)
    router = Router()
    scrape = metrics_handler(registry)

    def counted(req, handler):
        start = ticks()
        try:
            return handler(req)
        finally:
            requests.labels(req.path).inc()
            latency.labels(req.path).observe(elapsed(start))

    router.use(counted)
    router.add('/metrics', scrape)
    router.add('/', scrape)  # as prometheus_client's server: scrape configs may use /
    try:
        server = MetricsServer(a.port, a.addr, registry, router=router)
    except (OSError, OverflowError, ValueError) as e:
        ap.exit(2, 'python -m prometheus_express: cannot listen on %s port %d: %s\n'
                % (a.addr, a.port, e))
    try:  # a service manager's SIGTERM stops it as cleanly as Ctrl-C
        import signal
        signal.signal(signal.SIGTERM, _stop)
    except (ImportError, AttributeError, ValueError):
        pass
    host = '[%s]' % a.addr if ':' in a.addr else a.addr
    print('serving simulated sensors at http://%s:%d/metrics (Ctrl-C to stop)'
          % (host, server.port))
    sys.stdout.flush()
    t0 = ticks()
    last = None
    try:
        while True:
            if last is None or elapsed(last) >= a.interval:
                last = ticks()
                read_sensors(g, reads, elapsed(t0))
            server.poll(min(a.interval, 0.5))
    except KeyboardInterrupt:
        print('stopped')
    finally:
        server.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
