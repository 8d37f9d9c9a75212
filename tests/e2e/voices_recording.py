#!/usr/bin/python3
"""Checks the recording of voices_checks.py: in the second-to-last phase
both voices' fundamentals (109 and 273 Hz) sound (phase 1); after
/voice/1/off, 273 Hz has faded by 20 dB or more while 109 Hz goes on
(phase 2); the model reloaded at the start of phase 3 makes no step
between samples larger than steady playback's (a crossfade, no click).

Usage: voices_recording.py REC.wav MARKS"""
import json
import sys

import numpy as np

sys.path.insert(0, "tests/e2e")
from wavfile import band_db, read_float_wav  # noqa: E402

LOW_HZ, HIGH_HZ = 109.4, 273.4
FRAME = 512  # samples per latent frame of the demo model, at the device rate (48 kHz)


x, sr = read_float_wav(sys.argv[1])
marks = json.load(open(sys.argv[2]))
mono = x.mean(axis=1)


def at(frames, seconds=0.0):
    """The recording's sample index for a frame count (plus seconds)."""
    return int(frames * FRAME + seconds * sr)


half = int(0.5 * sr)
both = mono[at(marks["release"], -1.0):][:half]        # phase 1: both voices
alone = mono[at(marks["reload"], -1.0):][:half]        # phase 2: voice 0 alone, steady
reload = mono[at(marks["reload"], -0.1):at(marks["reloaded"], 0.5)]  # the swap is in here
low1, high1 = band_db(both, sr, LOW_HZ), band_db(both, sr, HIGH_HZ)
low2, high2 = band_db(alone, sr, LOW_HZ), band_db(alone, sr, HIGH_HZ)
print("  both voices: 109 Hz %.1f dB, 273 Hz %.1f dB; after /voice/1/off: 109 Hz %.1f dB, 273 Hz %.1f dB"
      % (low1, high1, low2, high2))
assert high1 > low1 - 20, "the second voice's pitch is missing while both sound"
assert high2 < high1 - 20, "the released voice did not fade out"
assert abs(low2 - low1) < 6, "the first voice changed when the second was released"
print("  ok: two voices, two pitches; the released one faded out, the other went on")

steady = np.abs(np.diff(alone)).max()
swap = np.abs(np.diff(reload)).max()
print("  largest step between samples: steady %.4f, across the reload (%.2f s) %.4f"
      % (steady, len(reload) / sr, swap))
assert swap <= 1.5 * steady + 1e-3, "the reload clicks"
print("  ok: the reload crossfades: no step larger than steady playback's")
