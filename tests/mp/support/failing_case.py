# A module that must fail under the MicroPython runner: proves the runner reports failures.
import unittest


class MustFail(unittest.TestCase):
    def test_fails(self):
        self.assertEqual(1, 2)
