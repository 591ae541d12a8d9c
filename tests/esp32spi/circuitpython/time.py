# `time` as CircuitPython firmware has it: the unix port's built-in time plus monotonic() and
# monotonic_ns(), which the ESP32-SPI driver calls. Only on the board interpreter's path
# (a built-in module that a .py of its name extends).
import sys

_path = sys.path
sys.path = []
try:
    from time import *  # noqa: F401,F403  (the built-in: no path to find this file on)
    from time import time_ns as _ns
finally:
    sys.path = _path


def monotonic():
    return _ns() / 1e9


def monotonic_ns():
    return _ns()
