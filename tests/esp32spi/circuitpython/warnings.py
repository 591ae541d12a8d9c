# `warnings` as CircuitPython firmware has it (warn() prints), which the ESP32-SPI driver
# imports. Only on the board interpreter's path.
def warn(message, *args, **kwargs):
    print('Warning:', message)
