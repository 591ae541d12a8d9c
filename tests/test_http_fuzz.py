"""hypothesis fuzzing of the request parser (CPython): random bytes and mutated valid requests
give a parsed Request or an HTTPError with a 4xx/505 status, never anything else."""
import unittest

from hypothesis import given, settings, strategies as st

from prometheus_express.http import HTTPError, body_length, find_head_end, parse_head
from prometheus_express.routing import Router

VALID = [b'GET /metrics HTTP/1.1\r\nHost: board:8080\r\nAccept: */*\r\n\r\n',
         b'HEAD /metrics?name[]=up&x=%41+b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
         b'POST /push HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nAuthorization: Basic YTpi\r\n\r\nabc']


def handle(data):
    """What the server does with bytes: find the head, parse, size the body, route."""
    try:
        end = find_head_end(bytearray(data))
        if end < 0:
            return None
        req = parse_head(data[:end])
        body_length(req)
        Router().dispatch(req)
        return req
    except HTTPError as e:
        assert 400 <= e.status < 500 or e.status == 505, e.status
        return e


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.integers(0, 2))
        i = draw(st.integers(0, len(data)))
        if op == 0 and data:
            del data[min(i, len(data) - 1)]
        elif op == 1:
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        else:
            data[i:i] = draw(st.sampled_from([b'\r\n', b':', b' ', b'%', b'%zz', b'\xff', b'?',
                                              b'HTTP/9.9', b'\r\n\r\n', b'=', b'&']))
    return bytes(data)


class Fuzz(unittest.TestCase):
    @settings(max_examples=1500, deadline=None)
    @given(st.binary(max_size=300))
    def test_random_bytes(self, data):
        handle(data + b'\r\n\r\n')

    @settings(max_examples=1500, deadline=None)
    @given(mutated())
    def test_mutated_requests(self, data):
        handle(data)

    def test_valid_ones_parse(self):
        for v in VALID:
            self.assertEqual(handle(v).__class__.__name__, 'Request')


if __name__ == '__main__':
    unittest.main()
