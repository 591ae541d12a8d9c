# The emulated W5500 (../shared/tools/w5500) and the unmodified Adafruit driver over it, as
# the WIZnet board scripts here set them up: the chip first (the driver finds it on the bus),
# a static address (the emulator has no DHCP). The driver is imported here, before the
# emulator and before the exporter (import this module first): its largest module compiles
# while the heap is whole, as a board owner's program does (examples/feather_m4_wiznet5500.py).
import adafruit_wiznet5k.adafruit_wiznet5k_socketpool as socketpool
from adafruit_wiznet5k.adafruit_wiznet5k import WIZNET5K

import board
import busio
import digitalio
import w5500


def chip_and_pool(port_map):
    """(chip, eth, socketpool): the board's ports in port_map served on 127.0.0.1."""
    chip = w5500.W5500(board.D10, port_map=port_map)
    eth = WIZNET5K(busio.SPI(board.SCK, MOSI=board.MOSI, MISO=board.MISO),
                   digitalio.DigitalInOut(board.D10), is_dhcp=False)
    eth.ifconfig = ((192, 168, 10, 20), (255, 255, 255, 0), (192, 168, 10, 1), (0, 0, 0, 0))
    return chip, eth, socketpool.SocketPool(eth)


def table(eth):
    """The driver's reservations and each hardware socket's state."""
    return '%s %s' % (''.join(['R' if r else '-' for r in eth._sockets_reserved]),
                      ','.join(['%02x' % eth.socket_status(i) for i in range(8)]))

