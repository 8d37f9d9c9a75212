#!/usr/bin/python3
"""usage: network_audio_checks.py STAGE SOURCE_PORT OSC_PORT [RACK]
       network_audio_checks.py --listen SERVER PORT (what the first runs for RACK)
Listens on the JACK server STAGE to SOURCE_PORT (what came over the
network: JackTrip's receive_1, NetJack2's <slave>:from_slave_1) with
python3-jack-client: the demo terrain's 110 Hz at (0, 0) must arrive; then
an OSC /xy to the daemon (on the other server) must move it to the pitch
at (0.4, 1), about 330 Hz.

With RACK, it also listens to terraind:out_0 on the rack's server, the
daemon's own output, and prints when each side heard the move after /xy
was sent: the difference is what the network path adds (the detector's
own delay, the same on both sides, cancels). libjack talks to one server
a process, so the rack's listener is a second process (--listen): it says
"ready" once it hears 110 Hz, then reads when /xy was sent and prints
when it heard the move, both on the monotonic clock the processes share."""
import os
import subprocess
import sys
import threading
import time

import jack
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from pitch import f0  # noqa: E402
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

WINDOW = 4096  # for telling 110 Hz from 330 Hz reliably
STEP_WINDOW, STEP_HOP = 1024, 64  # for finding when the pitch changed


class Listener:
    """One JACK input on `server`, connected to `source`; keeps the last
    few seconds, and when each period arrived."""

    def __init__(self, name, server, source, seconds=4):
        self.source = source
        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.sr = self.client.samplerate
        self.inport = self.client.inports.register("in")
        self.ring = np.zeros(seconds * self.sr, dtype=np.float32)
        self.written = 0
        self.arrivals = []  # (samples written so far, time.monotonic()) per period
        self.lock = threading.Lock()
        self.client.set_process_callback(self.process)

    def process(self, frames):  # a test's listener: a lock around one period's copy
        block = self.inport.get_array()
        with self.lock:
            self.ring[(self.written + np.arange(frames)) % len(self.ring)] = block
            self.written += frames
            self.arrivals.append((self.written, time.monotonic()))
            del self.arrivals[:-4096]

    def start(self):
        self.client.activate()
        self.client.connect(self.source, self.inport.name)

    def stop(self):
        self.client.deactivate()
        self.client.close()

    def last(self, n):
        """The last n samples heard and the count written, or (None, 0)."""
        with self.lock:
            if self.written < n:
                return None, 0
            return self.ring[np.arange(self.written - n, self.written) % len(self.ring)].copy(), self.written

    def pitch_between(self, lo, hi):
        x, _ = self.last(WINDOW)
        if x is None or np.sqrt(np.mean(x.astype(np.float64) ** 2)) < 1e-3:
            return None
        f = f0(x, self.sr)
        return f if lo < f < hi else None

    def heard_high_at(self, after):
        """When the 110 Hz of (0, 0) went, in the audio heard after the
        monotonic time `after`: the end of the first short window whose
        110 Hz component fell below a tenth of what it was in the half
        second before (the pitch at (0.4, 1), 333 Hz, has none). 333 Hz
        itself is no sign: it is 110 Hz's third harmonic."""
        with self.lock:
            available = min(self.written, len(self.ring))
        x, written = self.last(available)
        start = written - len(x)
        first = max(0, self.sample_at(after) - start)
        n = np.arange(STEP_WINDOW)
        probe = np.exp(-2j * np.pi * 110 * n / self.sr) * np.hanning(STEP_WINDOW)

        def at_110(i):
            return abs(np.dot(x[i:i + STEP_WINDOW], probe))

        before = np.median([at_110(i) for i in range(max(0, first - self.sr // 2), first - STEP_WINDOW, STEP_HOP)])
        for i in range(first, len(x) - STEP_WINDOW, STEP_HOP):
            if at_110(i) < 0.1 * before:
                return self.time_of(start + i + STEP_WINDOW)
        return None

    def sample_at(self, t):
        with self.lock:
            for written, at in self.arrivals:
                if at >= t:
                    return int(written - (at - t) * self.sr)
        return self.written

    def time_of(self, sample):
        with self.lock:
            for written, at in self.arrivals:
                if written >= sample:
                    return at - (written - sample) / self.sr
        return None


def listen_for_the_rack(server, source):
    """--listen: the second process."""
    rack = Listener("rack-listener", server, source)
    rack.start()
    wait_until(lambda: rack.pitch_between(95, 125), "the rack's own output sounds 110 Hz", seconds=10)
    print("ready", flush=True)
    sent = float(sys.stdin.readline())
    print(rack.heard_high_at(sent), flush=True)
    rack.stop()


def main():
    if sys.argv[1] == "--listen":
        return listen_for_the_rack(sys.argv[2], sys.argv[3])
    stage_server, source, osc_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rack = None
    if len(sys.argv) > 4:
        rack = subprocess.Popen([sys.executable, __file__, "--listen", sys.argv[4], "terraind:out_0"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert rack.stdout.readline().strip() == "ready", "the rack's listener did not start"
    stage = Listener("stage-listener", stage_server, source)
    stage.start()
    low = wait_until(lambda: stage.pitch_between(95, 125), "the stage hears 110 Hz from %s" % source, seconds=10)
    print("  ok: the stage hears %.1f Hz (the demo terrain at (0, 0)) from %s" % (low, source))
    with Client(port=osc_port) as c:
        sent = time.monotonic()
        c.xy(0.4, 1.0)
        high = wait_until(lambda: stage.pitch_between(290, 380), "the pitch moves after /xy", seconds=5)
    print("  ok: after /xy 0.4 1 the stage hears %.1f Hz" % high)
    if rack:
        time.sleep(0.2)
        at_stage = stage.heard_high_at(sent)
        at_rack = float(rack.communicate("%r\n" % sent)[0].strip())
        assert at_rack and at_stage, (at_rack, at_stage)
        print("  heard %.1f ms after /xy at terraind's output on the rack, %.1f ms on the stage: "
              "the network path adds %.1f ms" % (1000 * (at_rack - sent), 1000 * (at_stage - sent),
                                                 1000 * (at_stage - at_rack)))
    stage.stop()


main()
