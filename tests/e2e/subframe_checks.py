#!/usr/bin/python3
"""Sub-frame control on the live daemon, with long_tone.ts (440 * 2^x Hz, frames of 4096 samples
at 48 kHz) and tests/fixtures/long_tone_terrain.json (x is the latent that sets the pitch).

  subframe_checks.py PORT REC.wav [MODEL_RATE]
                               jumps x between 0 (440 Hz) and -1 (220 Hz) at times that fall
                               anywhere in a frame; checks /status: subframe "on", re-decodes
                               counted, and the median control-to-sound latency (the engine's
                               probe, latency_ms) under half a frame
  subframe_checks.py --recording REC.wav [MODEL_RATE]
                               finds where the pitch changes in the recording: the recording
                               starts with the first sample of the first frame, so frame
                               boundaries fall on multiples of 4096; most changes must fall
                               inside frames (at frame rate, every one is on a boundary)"""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client  # noqa: E402
from waiting import skip_part, wait_until  # noqa: E402
from wavfile import read_float_wav  # noqa: E402

FRAME = 4096  # a latent frame in samples at the device's 48 kHz (more for a model resampled from 44.1 kHz)
JUMPS = 8
LAG = 109      # 440 Hz's period in samples: correlation +1 at 440 Hz, -1 at 220 Hz
WINDOW = 240


def live(port, recording_path):
    latencies = []
    with Client(port=port) as c:
        s = c.status()
        assert s["subframe"] == "on", s["subframe"]
        before = s["redecodes"]
        c.xy(0.0, 0.0)
        time.sleep(0.3)
        for i in range(JUMPS):
            c.xy(-1.0 if i % 2 == 0 else 0.0, 0.0)
            # more than a frame later: the probe has fired, whichever way the jump was played;
            # 37 ms more each time, so the jumps land at different places in the frames
            time.sleep(0.25 + 0.037 * i)
            latencies.append(c.status()["latency_ms"])
        s = c.status()
    redecodes = s["redecodes"] - before
    median = statistics.median(latencies)
    print("  /status subframe \"on\"; %d jumps: %d re-decodes, latency_ms median %.1f (frame %.1f ms), %d xruns: %s"
          % (JUMPS, redecodes, median, 1e3 * FRAME / 48000, s["xruns"], " ".join("%.1f" % x for x in latencies)))
    # Each jump is re-decoded unless the CPU was short just then (an xrun
    # makes the engine keep to frame rate for a second): most must be.
    assert redecodes >= JUMPS // 2, "only %d of %d jumps were re-decoded" % (redecodes, JUMPS)
    if os.environ.get("TERRAIND_SANITIZER"):
        skip_part("latency", "a sanitizer build renders slower than real time: the latency is not judged")
        return
    assert median < 0.5 * 1e3 * FRAME / 48000, "latency median %.1f ms, at least half a frame" % median
    print("  ok: a jump is heard within its frame (median %.1f ms)" % median)

def changes(x):
    """Sample positions where the correlation at 440 Hz's period changes sign (pitch changes)."""
    starts = np.arange(0, len(x) - WINDOW - LAG, 24)
    corr = []
    for s in starts:
        a, b = x[s:s + WINDOW - LAG], x[s + LAG:s + WINDOW]
        corr.append(float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b) + 1e-12)))
    sign = np.sign(corr)
    return [int(starts[i] + WINDOW // 2) for i in range(1, len(sign)) if sign[i] != sign[i - 1] and sign[i] != 0]


def without_gaps(audio):
    """The recording without the silence an xrun put in it (runs of exact
    zeros: the model never plays exact silence), so that the frame grid holds
    again after each gap."""
    silent = np.all(audio == 0.0, axis=1)
    keep = np.ones(len(audio), dtype=bool)
    start = None
    for i, z in enumerate(np.append(silent, False)):
        if z and start is None:
            start = i
        elif not z and start is not None:
            if i - start >= 32:
                keep[start:i] = False
            start = None
    return audio[keep], int(np.count_nonzero(~keep))


def recording(path):
    audio, rate = read_float_wav(path)
    assert rate == 48000, rate
    audio, gaps = without_gaps(audio)
    if gaps:
        print("  %d samples of xrun silence taken out of the recording" % gaps)
    found = changes(audio[:, 0])
    # the daemon's fade-in and fade-out at start and stop are not jumps
    found = [p for p in found if 0.2 * rate < p < len(audio) - 0.2 * rate]
    offsets = [min(p % FRAME, FRAME - p % FRAME) for p in found]  # (FRAME may be fractional: resampled)
    inside = [o for o in offsets if o > 240]  # more than 5 ms from a boundary
    print("  ok: %d pitch changes in the recording, %d inside frames (samples from the nearest boundary: %s)"
          % (len(found), len(inside), " ".join(str(o) for o in offsets)))
    assert len(found) >= JUMPS - 1, found
    assert len(inside) >= len(found) // 2, offsets


if __name__ == "__main__":
    if len(sys.argv) > 3:  # the model's rate: its frames of 4096 samples at the device's 48 kHz
        FRAME = 4096 * 48000 / float(sys.argv[3])
    if sys.argv[1] == "--recording":
        recording(sys.argv[2])
    else:
        live(int(sys.argv[1]), sys.argv[2])
