# microdot (PyPI 2.7.0, its .mpy files as mip installs them) serving its own page and our
# /metrics on micropython-board:  microdot_board.py PORT SERIES
import gc
import sys

from prometheus_express import CollectorRegistry, Gauge
from prometheus_express.microdot_metrics import add_metrics
from microdot import Microdot

r = CollectorRegistry()
g = Gauge('sensor_value', 'A sensor reading.', ['sensor'], registry=r)
for i in range(int(sys.argv[2])):
    g.labels('sensor-%d' % i).set(i + 0.5)
app = Microdot()


@app.route('/')
def index(request):
    return 'greenhouse board'


add_metrics(app, r)
gc.collect()
print('READY', gc.mem_free())
app.run(host='127.0.0.1', port=int(sys.argv[1]))
