"""The process, platform and garbage-collector collectors of prometheus_client, for CPython.

Imported on: CPython only (the default REGISTRY registers PROCESS_COLLECTOR, PLATFORM_COLLECTOR
and GC_COLLECTOR there on first use, as prometheus_client's does; a board never loads this:
its health is board.py's BoardCollector).

    ProcessCollector(namespace='', pid=lambda: 'self', proc='/proc', registry=REGISTRY)
    PlatformCollector(registry=REGISTRY, platform=None)
    GCCollector(registry=REGISTRY)
"""
import gc
import os
import platform as _platform

from .families import CounterMetricFamily, GaugeMetricFamily
from .registry import REGISTRY

try:
    import resource
    _PAGESIZE = resource.getpagesize()
except ImportError:
    _PAGESIZE = 4096


class ProcessCollector:
    """process_* from Linux's /proc: CPU seconds, memory, start time, file descriptors.
    Where /proc (or the pid) is not there, it exports nothing."""

    def __init__(self, namespace='', pid=lambda: 'self', proc='/proc', registry=REGISTRY):
        self._pid = pid
        self._proc = proc
        self._prefix = (namespace + '_' if namespace else '') + 'process_'
        try:
            self._ticks = os.sysconf('SC_CLK_TCK')
        except (ValueError, TypeError, AttributeError, OSError):
            self._ticks = 100.0
        self._pagesize = _PAGESIZE
        self._btime = 0
        try:
            with open(os.path.join(proc, 'stat'), 'rb') as f:
                for line in f:
                    if line.startswith(b'btime '):
                        self._btime = float(line.split()[1])
        except OSError:
            pass
        if registry:
            registry.register(self)

    def collect(self):
        if not self._btime:
            return []
        p = self._prefix
        d = os.path.join(self._proc, str(self._pid()).strip())
        out = []
        try:
            with open(os.path.join(d, 'stat'), 'rb') as f:
                parts = f.read().split(b')')[-1].split()  # after the command, which may hold ' '
            out.append(GaugeMetricFamily(p + 'virtual_memory_bytes',
                                         'Virtual memory size in bytes.', value=float(parts[20])))
            out.append(GaugeMetricFamily(p + 'resident_memory_bytes',
                                         'Resident memory size in bytes.',
                                         value=float(parts[21]) * self._pagesize))
            out.append(GaugeMetricFamily(p + 'start_time_seconds',
                                         'Start time of the process since unix epoch in seconds.',
                                         value=float(parts[19]) / self._ticks + self._btime))
            out.append(CounterMetricFamily(p + 'cpu_seconds_total',
                                           'Total user and system CPU time spent in seconds.',
                                           value=(float(parts[11]) + float(parts[12])) /
                                           self._ticks))
        except OSError:
            pass
        try:
            with open(os.path.join(d, 'limits'), 'rb') as f:
                most = [float(line.split()[3]) for line in f if line.startswith(b'Max open file')]
            opened = len(os.listdir(os.path.join(d, 'fd')))
            out.append(GaugeMetricFamily(p + 'open_fds', 'Number of open file descriptors.',
                                         opened))
            out.append(GaugeMetricFamily(p + 'max_fds',
                                         'Maximum number of open file descriptors.',
                                         value=most[0]))
        except (OSError, IndexError):
            pass
        return out


class PlatformCollector:
    """python_info{implementation, major, minor, patchlevel, version} (and jvm_* on Jython)."""

    def __init__(self, registry=REGISTRY, platform=None):
        pf = _platform if platform is None else platform
        major, minor, patchlevel = pf.python_version_tuple()
        info = {'version': pf.python_version(), 'implementation': pf.python_implementation(),
                'major': major, 'minor': minor, 'patchlevel': patchlevel}
        if pf.system() == 'Java':
            release, vendor, vm, osinfo = pf.java_ver()
            info.update(jvm_version=release, jvm_release=vm[1], jvm_vendor=vm[2],
                        jvm_name=vm[0])
        g = GaugeMetricFamily('python_info', 'Python platform information', labels=list(info))
        g.add_metric(list(info.values()), 1)
        self._metrics = [g]
        if registry:
            registry.register(self)

    def collect(self):
        return self._metrics


class GCCollector:
    """python_gc_* per generation, from gc.get_stats() (CPython only)."""

    def __init__(self, registry=REGISTRY):
        if not hasattr(gc, 'get_stats') or _platform.python_implementation() != 'CPython':
            return
        registry.register(self)

    def collect(self):
        fams = [CounterMetricFamily('python_gc_objects_collected', 'Objects collected during gc',
                                    labels=['generation']),
                CounterMetricFamily('python_gc_objects_uncollectable',
                                    'Uncollectable objects found during GC',
                                    labels=['generation']),
                CounterMetricFamily('python_gc_collections',
                                    'Number of times this generation was collected',
                                    labels=['generation'])]
        for gen, stat in enumerate(gc.get_stats()):
            for fam, key in zip(fams, ('collected', 'uncollectable', 'collections')):
                fam.add_metric([str(gen)], value=stat[key])
        return fams


PROCESS_COLLECTOR = ProcessCollector()
PLATFORM_COLLECTOR = PlatformCollector()
GC_COLLECTOR = GCCollector()
