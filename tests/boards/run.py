# The portable suite on a board-like interpreter (../shared/tools/micropython-board or
# circuitpython-board): run by tests/test_boards.py as
#   MICROPYPATH=.frozen:ROOT:ROOT/tests:ROOT/examples INTERPRETER -X heapsize=N run.py MOD...
# Prints each module's results and '== board total: N tests, M failed'; exits 1 on failure.
import sys
import unittest

if not hasattr(sys, 'print_exception'):
    # CircuitPython: micropython-lib's unittest calls sys.print_exception, which it lacks, and
    # its sys can't be given one: unittest gets a stand-in for sys that has it.
    class _Sys:
        def __getattr__(self, name):
            return getattr(sys, name)

        def print_exception(self, e, file=None):
            print('%s: %s' % (type(e).__name__, e))
    unittest.sys = _Sys()

ran = 0
bad = 0
for name in sys.argv[1:]:
    print('== board: ' + name)
    try:
        mod = __import__(name)
    except ImportError as e:
        if 'asyncio' not in str(e):  # CircuitPython's unix port has no asyncio: only that
            raise
        print('skipped: this interpreter has no asyncio')
        continue
    r = unittest.main(module=mod)
    ran += r.testsRun
    bad += r.failuresNum + r.errorsNum
print('== board total: %d tests, %d failed' % (ran, bad))
sys.exit(1 if bad or not ran else 0)
