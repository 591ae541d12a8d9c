# Freezing prometheus_express into MicroPython firmware: add include("PATH/TO/THIS/CLONE") to
# the board's manifest (FROZEN_MANIFEST); tools/build_firmware.py builds the board-like
# interpreters this way. Every module but the demo (__main__.py) goes into flash; a board
# still loads only what it imports.
import os

package("prometheus_express", files=sorted(  # noqa: F821 (a manifest's own function)
    f for f in os.listdir("prometheus_express") if f.endswith(".py") and f != "__main__.py"))
