#!/usr/bin/python3
"""usage: jack_sink.py SERVER NAME N
A JACK client (python3-jack-client) named NAME on the server SERVER with N
audio inputs, NAME:in_1 .. NAME:in_N: somewhere for terraind's outputs to
go (audio.jack_ports), as JackTrip's send_N ports are. Prints "ready" once
its ports exist, then stays until SIGTERM."""
import signal
import sys

import jack

server, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = jack.Client(name, servername=server, no_start_server=True, use_exact_name=True)
for i in range(n):
    client.inports.register("in_%d" % (i + 1))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with client:
    print("ready", flush=True)
    signal.pause()
