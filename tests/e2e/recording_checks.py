#!/usr/bin/python3
"""Checks a daemon recording: the last two seconds hold ~1 s at the low
pitch point (0, 0) then ~1 s at the high one (0.4, 1) of the demo terrain."""
import sys

import numpy as np

from pitch import f0
from wavfile import read_float_wav


x, sr = read_float_wav(sys.argv[1])
mono = x.mean(axis=1)
# The daemon faded out at the end; find the last loud sample as the end.
loud = np.nonzero(np.abs(mono) > 1e-3)[0]
end = loud[-1]
high = f0(mono[end - int(0.5 * sr):end - int(0.5 * sr) + 4096], sr)
low = f0(mono[end - int(1.5 * sr):end - int(1.5 * sr) + 4096], sr)
print("recorded %.1f s; f0 near the end: %.1f Hz, one second earlier: %.1f Hz" % (len(mono) / sr, high, low))
assert 95 < low < 125, low
assert 290 < high < 380, high
print("  ok: moving the cursor changed the pitch as the terrain says")
