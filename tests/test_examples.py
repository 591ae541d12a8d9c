# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""The examples, imported with fake hardware modules and run for a round against the
in-memory network, so they can't rot. (mpy-cross compiles them in test_build.py.)"""
import sys
import unittest

try:
    import asyncio
except ImportError:
    asyncio = None

from fakenet import FakeNet, answer, parse_request, parse_response

if sys.implementation.name == 'cpython':
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))), 'examples'))


class Fake:
    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


class ADC:
    def __init__(self, pin):
        self.pin = pin

    def read_u16(self):
        return 32768


SLEPT = []
FAKES = {
    'machine': Fake(I2C=lambda *a, **k: None, Pin=lambda *a, **k: None, ADC=ADC,
                    deepsleep=SLEPT.append, lightsleep=SLEPT.append, freq=lambda: 133000000,
                    reset_cause=lambda: 1, PWRON_RESET=1),
    'network': Fake(STA_IF=0, WLAN=lambda i: Fake(isconnected=lambda: True,
                                                  ifconfig=lambda: ('10.0.0.7',),
                                                  status=lambda what: -55,
                                                  active=lambda *a: None)),
    'board': Fake(I2C=lambda: None, D10=10, SCK=1, MOSI=2, MISO=3),
    'busio': Fake(SPI=lambda *a, **k: None),
    'digitalio': Fake(DigitalInOut=lambda pin: None),
    'socketpool': Fake(SocketPool=lambda radio: None),
    'wifi': Fake(radio=Fake(ipv4_address='10.0.0.8', ap_info=None)),
}
for _name, _mod in FAKES.items():
    if _name not in sys.modules:
        sys.modules[_name] = _mod

GET = b'GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n'


def scrape(net, spin):
    c = net.client(GET)
    for _ in range(12):
        spin()
    return parse_response(c.out)


class Examples(unittest.TestCase):
    def test_esp32_bme680_poll(self):
        import esp32_bme680_poll as ex
        net = FakeNet()
        sensor = Fake(temperature=22.5, humidity=41.0, pressure=1001.5, gas=120000)
        state = ex.setup(sensor=sensor, net=net)
        ex.loop_once(state, wait_s=0)
        resp = scrape(net, lambda: state['server'].poll(0))
        self.assertEqual(resp[0], 200)
        for line in (b'temperature_celsius{sensor="bme680"} 22.5', b'gas_resistance_ohms'
                     b'{sensor="bme680"} 120000.0', b'board_cpu_frequency_hertz'):
            self.assertTrue(line in resp[2], line)
        state['sensor'] = Fake()  # the sensor vanishes: counted, still serving
        try:
            ex.loop_once(state, wait_s=0)
        except AttributeError:
            pass
        state['server'].close()

    def test_circuitpython_asyncio(self):
        if asyncio is None:  # CircuitPython's unix port has no asyncio (boards have it frozen)
            self.skipTest('no asyncio on this interpreter')
        import circuitpython_si7021_asyncio as ex
        net = FakeNet()
        state = ex.setup(sensor=Fake(temperature=19.25, relative_humidity=55.5), net=net)
        if asyncio is not None and hasattr(asyncio, 'run'):
            c = net.client(GET)
            asyncio.run(ex.run(state, rounds=3, every_s=0.01))
            resp = parse_response(c.out)
        else:  # this WebAssembly port runs asyncio on the JavaScript loop: one round by hand
            state['temperature'].labels('si7021').set(19.25)
            resp = scrape(net, lambda: state['server'].poll(0))
        self.assertEqual(resp[0], 200)
        self.assertTrue(b'temperature_celsius{sensor="si7021"} 19.25' in resp[2])
        state['server'].close()

    def test_picow_push(self):
        import picow_deepsleep_push as ex
        from prometheus_express import push
        push.NET = FakeNet([answer(200)])
        try:
            self.assertTrue(ex.wake_once(adc=ADC(26)))
            line, headers, body = parse_request(push.NET.connected[0][2].out)
        finally:
            push.NET = None
        self.assertTrue(line.startswith('PUT /metrics/job/garden/instance/'))
        self.assertTrue(b'soil_moisture_ratio{bed="north"} 0.5' in body)

    def test_picow_remote_write(self):
        import picow_remote_write_offline as ex
        net = FakeNet([111, answer(204)])
        t = [1790000000.0]
        state = ex.setup(net=net, clock=lambda: t[0])
        self.assertEqual(ex.sample_once(state, adc=ADC(26)), 0)  # offline: kept
        t[0] += 60
        state['writer'].flush(force=True)
        self.assertEqual(state['writer'].pending, 0)


if __name__ == '__main__':
    unittest.main()
