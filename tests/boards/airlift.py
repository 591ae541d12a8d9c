# The emulated AirLift co-processor (tests/esp32spi/nina.py: nina-fw's SPI commands) and the
# unmodified Adafruit ESP32-SPI driver over it, as the ESP32-SPI board scripts here set them
# up: the co-processor first (the driver resets it and finds it on the bus), Wi-Fi joined at
# once. The driver is imported here, before the exporter (import this module first), as a
# board owner's program does: its large module compiles while the heap is whole.
from adafruit_esp32spi import adafruit_esp32spi
from adafruit_esp32spi import adafruit_esp32spi_socketpool as socketpool

import board
import busio
import digitalio
import nina


def coprocessor_and_pool(port_map):
    """(co-processor, esp, socketpool): the board's ports in port_map on 127.0.0.1."""
    cop = nina.Nina(board.D13, board.D11, board.D12, port_map=port_map)
    esp = adafruit_esp32spi.ESP_SPIcontrol(
        busio.SPI(board.SCK, board.MOSI, board.MISO), digitalio.DigitalInOut(board.D13),
        digitalio.DigitalInOut(board.D11), digitalio.DigitalInOut(board.D12))
    esp.connect_AP('ssid', 'password')
    return cop, esp, socketpool.SocketPool(esp)

