# write_to_textfile: the page in a file for node_exporter's textfile collector (a
# Raspberry Pi's node_exporter picks up *.prom files from its --collector.textfile.directory).
#
# Imported on: CPython (and boards with a file system, when called).
import os

from .exposition import generate_latest


def write_to_textfile(path, registry, escaping='allow-utf-8', tmpdir=None):
    # Write registry's text page to path (it must end in .prom for node_exporter), whole:
    # written to a temporary file first (in tmpdir, on the same file system, or beside path)
    # and renamed over path, so a reader never sees half a page.
    try:
        import threading
        tail = '.%d.%d' % (os.getpid(), threading.get_ident())
    except (ImportError, AttributeError):
        tail = '.tmp'
    tmp = (os.path.join(tmpdir, os.path.basename(path)) if tmpdir is not None else path) + tail
    try:
        with open(tmp, 'wb') as f:
            f.write(generate_latest(registry, escaping))
        try:
            os.replace(tmp, path)
        except AttributeError:  # MicroPython: rename
            os.rename(tmp, path)
    except Exception:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
