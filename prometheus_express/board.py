# Board and process metrics: what every board operator wants on a dashboard.
#
# Imported on: CPython, MicroPython, CircuitPython (only when used).
#
#     from prometheus_express.board import BoardCollector
#     BoardCollector()          # registers itself with REGISTRY
#
# Each metric is exported where the runtime can tell, and skipped (never an error) where not:
#   board_heap_free_bytes, board_heap_used_bytes      gc.mem_free / mem_alloc
#   board_uptime_seconds                               ticks since the collector started
#   board_cpu_frequency_hertz                          machine.freq / microcontroller.cpu
#   board_cpu_temperature_celsius                      esp32, rp2 (ADC 4), microcontroller.cpu
#   board_wifi_rssi_dbm                                network.WLAN / wifi.radio.ap_info
#   board_reset_cause (stateset-like info)             machine.reset_cause / cpu.reset_reason
#   board_info{board, runtime, version}                sys.implementation, os.uname
#   python_info{implementation,major,minor,patchlevel,version}   as prometheus_client has it
#   process_* (CPython on Linux)                       as prometheus_client's ProcessCollector
# python_info and process_* are left out where the registry has them already (CPython's default
# REGISTRY carries prometheus_client's process, platform and gc collectors: process.py).
import sys

from ._clock import _diff, _ms  # the board's ticks and how they wrap
from .families import GaugeMetricFamily, InfoMetricFamily
from .registry import REGISTRY


class Uptime:
    # Seconds since it was made, exact and never wrapping (ticks wrap: after 6.2 days on
    # MicroPython, 3.1 on CircuitPython's, a plain difference of two readings is wrong), as
    # long as it is read at least once in such a span: every scrape reads it.

    def __init__(self, ms=None, diff=None):
        self._ms = ms or _ms
        self._diff = diff or _diff
        self._last = self._ms()
        self._total = 0

    def seconds(self):
        now = self._ms()
        self._total += self._diff(now, self._last)
        self._last = now
        return self._total / 1000


_RESET_NAMES = ('PWRON_RESET', 'HARD_RESET', 'WDT_RESET', 'DEEPSLEEP_RESET', 'SOFT_RESET',
                'BROWNOUT_RESET')


class BoardCollector:
    # A custom collector for board (or process) health.
    #
    # modules: {'machine': obj, ...} to use instead of importing those modules (tests, odd
    # ports). namespace: a prefix for the board_* names.

    def __init__(self, registry=REGISTRY, modules=None, namespace=''):
        self._modules = modules
        self._ns = namespace + '_' if namespace else ''
        self._up = Uptime()
        self._proc = None
        names = getattr(registry, '_names', {})
        self._own_process = (sys.implementation.name == 'cpython' and
                             'process_cpu_seconds_total' not in names)
        self._own_python = 'python_info' not in names
        if registry is not None:
            registry.register(self)

    def _mod(self, name):
        if self._modules is not None:
            return self._modules.get(name)
        try:
            return __import__(name)
        except ImportError:
            return None

    def describe(self):
        return []  # names vary by runtime: nothing to reserve

    def collect(self):
        out = []
        ns = self._ns
        for fn in (self._heap, self._uptime, self._freq, self._temperature, self._rssi,
                   self._reset, self._info, self._process):
            try:
                out.extend(fn(ns))
            except Exception:  # a sensor the port lacks or that failed: leave it out
                pass
        return out

    # -- each metric, where the runtime can tell -------------------------------------------
    def _heap(self, ns):
        g = self._mod('gc')
        free = getattr(g, 'mem_free', None)
        alloc = getattr(g, 'mem_alloc', None)
        out = []
        if free is not None:
            out.append(GaugeMetricFamily(ns + 'board_heap_free_bytes', 'Free heap.',
                                         value=free()))
        if alloc is not None:
            out.append(GaugeMetricFamily(ns + 'board_heap_used_bytes', 'Allocated heap.',
                                         value=alloc()))
        return out

    def _uptime(self, ns):
        return [GaugeMetricFamily(ns + 'board_uptime_seconds',
                                  'Seconds since this collector started.',
                                  value=self._up.seconds())]

    def _freq(self, ns):
        hz = None
        machine = self._mod('machine')
        mc = self._mod('microcontroller')
        if machine is not None and hasattr(machine, 'freq'):
            hz = machine.freq()
            if isinstance(hz, tuple):
                hz = hz[0]
        elif mc is not None:
            hz = mc.cpu.frequency
        if hz is None:
            return []
        return [GaugeMetricFamily(ns + 'board_cpu_frequency_hertz', 'CPU clock.', value=hz)]

    def _temperature(self, ns):
        t = None
        esp32 = self._mod('esp32')
        mc = self._mod('microcontroller')
        if esp32 is not None and hasattr(esp32, 'mcu_temperature'):
            t = esp32.mcu_temperature()
        elif esp32 is not None and hasattr(esp32, 'raw_temperature'):
            t = (esp32.raw_temperature() - 32) / 1.8  # Fahrenheit
        elif mc is not None and getattr(mc.cpu, 'temperature', None) is not None:
            t = mc.cpu.temperature
        elif self._mod('rp2') is not None:
            machine = self._mod('machine')
            v = machine.ADC(4).read_u16() * 3.3 / 65535
            t = 27 - (v - 0.706) / 0.001721  # RP2040 datasheet, section 4.9.5
        if t is None:
            return []
        return [GaugeMetricFamily(ns + 'board_cpu_temperature_celsius', 'Die temperature.',
                                  value=t)]

    def _rssi(self, ns):
        rssi = None
        network = self._mod('network')
        wifi = self._mod('wifi')
        if network is not None and hasattr(network, 'WLAN'):
            wlan = network.WLAN(network.STA_IF)
            if wlan.isconnected():
                rssi = wlan.status('rssi')
        elif wifi is not None:
            ap = wifi.radio.ap_info
            if ap is not None:
                rssi = ap.rssi
        if rssi is None:
            return []
        return [GaugeMetricFamily(ns + 'board_wifi_rssi_dbm', 'Wi-Fi signal strength.',
                                  value=rssi)]

    def _reset(self, ns):
        cause = None
        machine = self._mod('machine')
        mc = self._mod('microcontroller')
        if machine is not None and hasattr(machine, 'reset_cause'):
            code = machine.reset_cause()
            cause = 'UNKNOWN_%s' % code
            for name in _RESET_NAMES:
                if getattr(machine, name, None) == code:
                    cause = name
        elif mc is not None and getattr(mc.cpu, 'reset_reason', None) is not None:
            cause = str(mc.cpu.reset_reason).split('.')[-1]
        if cause is None:
            return []
        return [InfoMetricFamily(ns + 'board_reset', 'Why the board last reset.',
                                 value={'cause': cause})]

    def _info(self, ns):
        impl = sys.implementation
        v = impl.version
        version = '%d.%d.%d' % (v[0], v[1], v[2])
        # a gauge named python_info, as prometheus_client's PlatformCollector writes it
        py = GaugeMetricFamily('python_info', 'Python platform information',
                               labels=['implementation', 'major', 'minor', 'patchlevel',
                                       'version'])
        py.add_metric([impl.name if impl.name != 'cpython' else 'CPython', str(v[0]), str(v[1]),
                       str(v[2]), version], 1)
        board = getattr(impl, '_machine', None)
        if board is None:
            try:
                import os
                board = os.uname().machine
            except Exception:
                board = sys.platform
        return ([py] if self._own_python else []) + [InfoMetricFamily(
            ns + 'board', 'The board and its runtime.', value={
                'board': board, 'runtime': impl.name, 'version': version})]

    def _process(self, ns):
        # process_* as prometheus_client's ProcessCollector (CPython on Linux), unless the
        # registry has them already (the default REGISTRY does, on CPython).
        if not self._own_process:
            return []
        if self._proc is None:
            from .process import ProcessCollector  # extension: CPython's collectors
            self._proc = ProcessCollector(registry=None)
        return self._proc.collect()
