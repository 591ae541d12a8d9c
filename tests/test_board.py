# portable: runs under CPython (pytest) and MicroPython (tests/mp/run.mjs)
"""Board metrics with fake machine/network/esp32/rp2/microcontroller/wifi modules."""
import sys
import unittest

from prometheus_express import CollectorRegistry, generate_latest
from prometheus_express.board import BoardCollector


class Obj:
    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


def esp32_modules(connected=True):
    machine = Obj(freq=lambda: 240000000, reset_cause=lambda: 4, PWRON_RESET=1, HARD_RESET=2,
                  WDT_RESET=3, DEEPSLEEP_RESET=4, SOFT_RESET=5)
    wlan = Obj(isconnected=lambda: connected, status=lambda what: -61)
    network = Obj(STA_IF=0, WLAN=lambda i: wlan)
    return {'machine': machine, 'network': network, 'esp32': Obj(mcu_temperature=lambda: 47),
            'gc': Obj(mem_free=lambda: 91000, mem_alloc=lambda: 20000)}


def rp2_modules():
    adc = Obj(read_u16=lambda: 14000)
    machine = Obj(freq=lambda: 125000000, ADC=lambda ch: adc, reset_cause=lambda: 9)
    return {'machine': machine, 'rp2': Obj()}


def circuitpython_modules():
    cpu = Obj(frequency=120000000, temperature=31.5, reset_reason='microcontroller.ResetReason.BROWNOUT')
    return {'microcontroller': Obj(cpu=cpu),
            'wifi': Obj(radio=Obj(ap_info=Obj(rssi=-70)))}


def page(modules):
    r = CollectorRegistry()
    BoardCollector(r, modules=modules)
    return r, generate_latest(r).decode()


class Board(unittest.TestCase):
    def test_esp32(self):
        r, text = page(esp32_modules())
        self.assertEqual(r.get_sample_value('board_cpu_frequency_hertz'), 240000000)
        self.assertEqual(r.get_sample_value('board_cpu_temperature_celsius'), 47)
        self.assertEqual(r.get_sample_value('board_wifi_rssi_dbm'), -61)
        self.assertEqual(r.get_sample_value('board_heap_free_bytes'), 91000)
        self.assertEqual(r.get_sample_value('board_reset_info', {'cause': 'DEEPSLEEP_RESET'}), 1)
        self.assertTrue(r.get_sample_value('board_uptime_seconds') >= 0)
        self.assertTrue('# TYPE board_reset_info gauge\n' in text)

    def test_esp32_offline_has_no_rssi(self):
        r, text = page(esp32_modules(connected=False))
        self.assertIsNone(r.get_sample_value('board_wifi_rssi_dbm'))
        self.assertEqual(r.get_sample_value('board_cpu_temperature_celsius'), 47)

    def test_rp2(self):
        r, text = page(rp2_modules())
        t = r.get_sample_value('board_cpu_temperature_celsius')
        self.assertTrue(20 < t < 30, t)  # 14000/65535*3.3 V = 0.705 V: about 27 C
        self.assertEqual(r.get_sample_value('board_reset_info', {'cause': 'UNKNOWN_9'}), 1)

    def test_circuitpython(self):
        r, text = page(circuitpython_modules())
        self.assertEqual(r.get_sample_value('board_cpu_frequency_hertz'), 120000000)
        self.assertEqual(r.get_sample_value('board_cpu_temperature_celsius'), 31.5)
        self.assertEqual(r.get_sample_value('board_wifi_rssi_dbm'), -70)
        self.assertEqual(r.get_sample_value('board_reset_info', {'cause': 'BROWNOUT'}), 1)

    def test_nothing_available_is_not_an_error(self):
        r, text = page({'gc': __import__('gc')})
        self.assertIsNone(r.get_sample_value('board_cpu_frequency_hertz'))
        impl = sys.implementation
        name = 'CPython' if impl.name == 'cpython' else impl.name
        self.assertEqual(r.get_sample_value('python_info', {
            'implementation': name, 'major': str(impl.version[0]),
            'minor': str(impl.version[1]), 'patchlevel': str(impl.version[2]),
            'version': '%d.%d.%d' % impl.version[:3]}), 1)
        if hasattr(__import__('gc'), 'mem_free'):  # MicroPython, CircuitPython
            self.assertTrue(r.get_sample_value('board_heap_free_bytes') > 0)
            self.assertTrue(r.get_sample_value('board_heap_used_bytes') > 0)

    def test_broken_sensor_is_left_out(self):
        mods = esp32_modules()

        def broken():
            raise OSError(5)
        mods['esp32'] = Obj(mcu_temperature=broken)
        r, text = page(mods)
        self.assertIsNone(r.get_sample_value('board_cpu_temperature_celsius'))
        self.assertEqual(r.get_sample_value('board_cpu_frequency_hertz'), 240000000)


if __name__ == '__main__':
    unittest.main()
