"""push_to_gateway over https:// (CPython's ssl), against a local TLS server whose
self-signed certificate the client trusts through SSL_CERT_FILE."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest

import prometheus_express as pe
from prometheus_express.push import PushError, push_to_gateway

from services import REQUIRED


def make_cert(d):
    openssl = shutil.which('openssl')
    if openssl is None:
        if REQUIRED:
            raise AssertionError('openssl is not installed')
        raise unittest.SkipTest('openssl is not installed')
    cert, key = os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem')
    subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
                    '-out', cert, '-days', '2', '-subj', '/CN=localhost',
                    '-addext', 'subjectAltName=DNS:localhost'], check=True, capture_output=True)
    return cert, key


def tls_listener():
    """(TLS server context, listening socket on 127.0.0.1, its port) with a fresh
    self-signed certificate for localhost, and the certificate's path."""
    cert, key = make_cert(tempfile.mkdtemp())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(2)
    return ctx, ls, ls.getsockname()[1], cert


def whole_request(data):
    """Whether data holds a whole request (a body framed by Content-Length, or chunked)."""
    head, sep, body = data.partition(b'\r\n\r\n')
    if not sep:
        return False
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            return len(body) >= int(value)
    return body.endswith(b'0\r\n\r\n')


class TLSGateway(unittest.TestCase):
    def test_push_over_https(self):
        ctx, ls, port, cert = tls_listener()
        got = []

        def serve(status):
            conn, _ = ls.accept()
            with ctx.wrap_socket(conn, server_side=True) as tls:
                data = b''
                while not whole_request(data):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                got.append(data)
                tls.sendall(b'HTTP/1.1 %d X\r\nContent-Length: 4\r\n\r\nnope' % status)

        r = pe.CollectorRegistry()
        pe.Gauge('room_temperature_celsius', 'T.', registry=r).set(21.5)
        old = os.environ.get('SSL_CERT_FILE')
        os.environ['SSL_CERT_FILE'] = cert
        try:
            for status in (200, 403):
                t = threading.Thread(target=serve, args=(status,))
                t.start()
                try:
                    push_to_gateway('https://localhost:%d' % port, 'tls', r, timeout=5)
                except PushError as e:
                    self.assertEqual((status, e.status), (403, 403))
                t.join(10)
        finally:
            ls.close()
            if old is None:
                del os.environ['SSL_CERT_FILE']
            else:
                os.environ['SSL_CERT_FILE'] = old
        self.assertEqual(len(got), 2)
        self.assertTrue(got[0].startswith(b'PUT /metrics/job/tls HTTP/1.1\r\n'), got[0][:80])
        self.assertIn(b'room_temperature_celsius 21.5\n', got[0])

    def test_untrusted_certificate_is_refused(self):
        ctx, ls, port, cert = tls_listener()

        def serve():
            conn, _ = ls.accept()
            try:
                ctx.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                pass

        t = threading.Thread(target=serve)
        t.start()
        try:
            with self.assertRaises(ssl.SSLError):
                push_to_gateway('https://localhost:%d' % port, 'tls', pe.CollectorRegistry(),
                                timeout=5)
        finally:
            t.join(10)
            ls.close()


class TLSExporter(unittest.TestCase):
    def test_start_http_server_with_certfile_and_keyfile_serves_https(self):
        """prometheus_client 0.26's call: start_http_server(port, addr, registry,
        certfile=, keyfile=) (it raised TypeError here before)."""
        import urllib.request
        cert, key = make_cert(tempfile.mkdtemp())
        r = pe.CollectorRegistry()
        pe.Gauge('room_temperature_celsius', 'T.', registry=r).set(21.5)
        server, t = pe.start_http_server(0, '127.0.0.1', r, certfile=cert, keyfile=key)
        try:
            ctx = ssl.create_default_context(cafile=cert)
            url = 'https://localhost:%d/metrics' % server.server_port
            with urllib.request.urlopen(url, context=ctx, timeout=5) as resp:
                self.assertEqual(resp.status, 200)
                self.assertIn(b'room_temperature_celsius 21.5\n', resp.read())
            with self.assertRaises(OSError):  # and plain HTTP is not served there
                urllib.request.urlopen('http://localhost:%d/metrics' % server.server_port,
                                       timeout=5).read()
        finally:
            server.shutdown()
            server.server_close()


if __name__ == '__main__':
    unittest.main()
