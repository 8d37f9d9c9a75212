#!/usr/bin/python3
"""usage: jacktrip_checks.py SERVER SOURCE_PORT OSC_PORT
Listens on the JACK server SERVER (the stage) to SOURCE_PORT (JackTrip's
receive_1, what came over the network) with python3-jack-client: the
demo terrain's 110 Hz at (0, 0) must arrive; then an OSC /xy to the daemon
(on the other server) must move it to the pitch at (0.4, 1), about 330 Hz.
Prints how long the move took to be heard, /xy sent to pitch seen."""
import os
import sys
import threading
import time

import jack
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from pitch import f0  # noqa: E402
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

server, source, osc_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
WINDOW = 4096
ring = np.zeros(8 * WINDOW, dtype=np.float32)
written = 0
lock = threading.Lock()

client = jack.Client("listener", servername=server, no_start_server=True)
inport = client.inports.register("in")


@client.set_process_callback
def process(frames):
    global written
    block = inport.get_array()
    with lock:  # a test's listener: the lock is held for a copy of one period
        ring[(written + np.arange(frames)) % len(ring)] = block
        written += frames


def latest():
    """The last WINDOW samples heard, oldest first; None before that many."""
    with lock:
        if written < WINDOW:
            return None
        idx = (np.arange(written - WINDOW, written)) % len(ring)
        return ring[idx].copy()


def pitch_between(lo, hi):
    x = latest()
    if x is None or np.sqrt(np.mean(x.astype(np.float64) ** 2)) < 1e-3:
        return None
    f = f0(x, client.samplerate)
    return f if lo < f < hi else None


with client:
    client.connect(source, inport)
    low = wait_until(lambda: pitch_between(95, 125), "the stage hears 110 Hz from the rack", seconds=10)
    print("  ok: the stage hears %.1f Hz (the demo terrain at (0, 0)) over JackTrip" % low)
    with Client(port=osc_port) as c:
        sent = time.monotonic()
        c.xy(0.4, 1.0)
        high = wait_until(lambda: pitch_between(290, 380), "the pitch moves after /xy", seconds=5)
        heard = time.monotonic() - sent
    print("  ok: after /xy 0.4 1 the stage hears %.1f Hz, %.0f ms after the request (a %d-sample window)"
          % (high, 1000 * heard, WINDOW))
