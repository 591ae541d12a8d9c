# What the emulated boards' scripts share (the W5500's and the ESP32-SPI co-processor's): the
# control file their test writes commands to, the line that says the board serves, the sensor
# loop of the exporter scripts, and a push and a remote write through the board's pool.
import sys
import time


def command(path):
    """What the test wrote in the control file at path ('stop', 'link 0'...), or ''."""
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ''


def say(*a):
    """print, seen at once by the test reading the board's output."""
    print(*a)
    try:
        sys.stdout.flush()
    except AttributeError:
        pass


def serve(server, gauge, loops, control, other=None):
    """A sensor loop serving with poll(0.25) until the control file says 'stop' (read every
    half second; another command goes to other(cmd)). Returns (the longest poll in ms, the
    polls)."""
    from prometheus_express._clock import _diff, _ms
    longest = polls = 0
    last = _ms()
    while True:
        loops.inc()
        gauge.labels('sensor-0').set(polls % 100)
        t = _ms()
        server.poll(0.25)
        longest = max(longest, _diff(_ms(), t))
        polls += 1
        if _diff(_ms(), last) > 500:
            last = _ms()
            cmd = command(control)
            if cmd == 'stop':
                return longest, polls
            if cmd and other is not None:
                other(cmd)


def push_and_write(pool, registry, host, gateway, receiver, job, instance):
    """A push to the Pushgateway at host:gateway and a remote write to the Prometheus at
    host:receiver, through pool. Prints PUSHED 1 and SENT n."""
    from prometheus_express._sockets import Net
    import prometheus_express.push as push
    from prometheus_express.push import push_to_gateway
    net = Net(pool)
    push.NET = net
    push_to_gateway('%s:%d' % (host, gateway), job, registry)
    say('PUSHED 1')
    from prometheus_express.remote_write import RemoteWriter
    w = RemoteWriter('http://%s:%d/api/v1/write' % (host, receiver), registry,
                     labels={'job': job, 'instance': instance}, net=net)
    w.snapshot()
    time.sleep(1)
    say('SENT', w.write())
