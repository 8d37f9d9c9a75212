#!/usr/bin/python3
"""Checks the recording of midi_checks.py: two notes (A3 and E4) sound at
their pitches, 220 and 329.6 Hz, which the demo's pitch latent plays in
tune wherever the notes lie on the terrain; a note at velocity 40 is
20·log10(40/127) = -10.0 dB from one at 127, and channel pressure 64
takes one at 127 down by 20·log10(64/127) = -6.0 dB.

Usage: midi_recording.py REC.wav MARKS"""
import json
import sys

import numpy as np

sys.path.insert(0, "tests/e2e")
from wavfile import band_db, read_float_wav  # noqa: E402

FRAME = 512  # samples per latent frame of the demo model at 48 kHz


def rms_db(x):
    return 10 * np.log10(np.mean(x * x) + 1e-20)


x, sr = read_float_wav(sys.argv[1])
marks = json.load(open(sys.argv[2]))
mono = x.mean(axis=1)


def held(mark):
    """Half a second of a phase, ending 0.4 s before its end's mark."""
    end = int(marks[mark] * FRAME - 0.4 * sr)
    return mono[end - int(0.5 * sr):end]


two = held("two_notes")
a3, e4, between = band_db(two, sr, 220.0, 4), band_db(two, sr, 329.63, 4), band_db(two, sr, 275.0, 4)
print("  two notes: 220 Hz %.1f dB, 329.6 Hz %.1f dB, 275 Hz (neither) %.1f dB" % (a3, e4, between))
assert a3 > between + 20 and e4 > between + 20, "the two notes' pitches are not both there"
print("  ok: two notes, two pitches, in tune")

loud, soft, pressed = rms_db(held("loud")), rms_db(held("soft")), rms_db(held("pressed"))
print("  velocity 127: %.1f dB; velocity 40: %.1f dB (%+.1f); pressure 64: %.1f dB (%+.1f); limiter engaged %d times"
      % (loud, soft, soft - loud, pressed, pressed - loud, marks["limited"]))
assert abs((soft - loud) - 20 * np.log10(40 / 127)) < 1.5, "velocity does not set the gain"
assert abs((pressed - loud) - 20 * np.log10(64 / 127)) < 1.5, "pressure does not set the gain"
print("  ok: velocity and pressure set the gain")
