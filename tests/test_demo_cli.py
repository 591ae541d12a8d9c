"""The demo's command line: bad arguments and a busy port are one-line errors, --port 0 says
which port it got."""
import os
import socket
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def demo(*args, timeout=10):
    return subprocess.run([sys.executable, '-m', 'prometheus_express'] + list(args), cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


class DemoArguments(unittest.TestCase):
    def test_bad_arguments_are_one_line_errors(self):
        for args in (['--port', '99999'], ['--port', '-1'], ['--interval', 'nan'],
                     ['--interval', '0'], ['--interval', '-1'], ['--interval', 'inf'],
                     ['--addr', '999.1.1.1', '--port', '0']):
            with self.subTest(args=args):
                p = demo(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertNotIn('Traceback', p.stderr)
                self.assertEqual(len(p.stderr.strip().split('\n')[-1:]), 1)
                self.assertIn('error' if args[0] != '--addr' else 'cannot listen',
                              p.stderr.strip().split('\n')[-1])

    def test_port_in_use(self):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        s.listen(1)
        try:
            p = demo('--port', str(s.getsockname()[1]))
        finally:
            s.close()
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stderr.count('\n'), 1, p.stderr)
        self.assertIn('cannot listen on 127.0.0.1 port', p.stderr)

    def test_port_0_prints_the_port(self):
        proc = subprocess.Popen([sys.executable, '-m', 'prometheus_express', '--port', '0'],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        try:
            line = proc.stdout.readline()
            port = int(line.split('http://127.0.0.1:')[1].split('/')[0])
            self.assertNotEqual(port, 0)
            socket.create_connection(('127.0.0.1', port), timeout=5).close()
        finally:
            proc.terminate()
            proc.communicate(timeout=10)


if __name__ == '__main__':
    unittest.main()
