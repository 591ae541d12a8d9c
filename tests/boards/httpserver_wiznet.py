# adafruit_httpserver (PyPI 4.8.2) serving its own page and our /metrics through the WIZnet
# driver's socketpool on the emulated W5500 (../shared/tools/w5500), on CPython and on
# circuitpython-board (there with cp_firmware.py: time.monotonic_ns, traceback and re's
# match.groups(), which CircuitPython firmware has and that unix port lacks):
#   httpserver_wiznet.py HOST_PORT CONTROL SERIES
# Prints READY; serves until CONTROL says 'stop'.
import sys

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.httpserver_metrics import add_metrics

if sys.implementation.name == 'circuitpython':
    import cp_firmware  # noqa: F401 (what the firmware has and the unix port lacks)
from adafruit_httpserver import Response, Server  # noqa: E402

from wiznet_chip import chip_and_pool  # noqa: E402

from harness import command, say  # noqa: E402

HOST_PORT, CONTROL, SERIES = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
chip, eth, pool = chip_and_pool({80: HOST_PORT})

r = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
for i in range(SERIES):
    g.labels('sensor-%d' % i).set(i + 0.5)
server = Server(pool, debug=False)


@server.route('/')
def index(request):
    return Response(request, 'greenhouse board')


add_metrics(server, r)
server.start(eth.pretty_ip(eth.ip_address), 80)
say('READY')
n = 0
while True:
    g.labels('sensor-0').set(n % 100)
    try:
        server.poll()
    except OSError as e:  # (the driver's accept says "nobody came" as OSError(11), whose
        if e.args[:1] != (11,):  # errno the framework's poll does not see: every idle poll)
            print('poll', repr(e))
    except Exception as e:  # (its poll raises what a client did)
        print('poll', repr(e))
    n += 1
    if n % 50 == 0 and command(CONTROL) == 'stop':
        break
server.stop()
chip.close()
print('STOPPED')
