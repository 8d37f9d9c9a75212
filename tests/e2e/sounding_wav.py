#!/usr/bin/python3
"""usage: sounding_wav.py FILE.wav CHANNELS MIN_SECONDS
Succeeds when a float WAV (as terraind render --float and --record write
them) has CHANNELS channels, at least MIN_SECONDS of audio, only finite
samples, and sound (RMS above 1e-5) in every channel."""
import struct
import sys

import numpy as np

path, want_channels, min_seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
data = open(path, "rb").read()
pos, fmt, samples = 12, None, None
while pos + 8 <= len(data):  # RIFF chunks: 'fmt ' (format 3 = float) and 'data'
    cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
    if cid == b"fmt ":
        fmt = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
    elif cid == b"data":
        samples = np.frombuffer(data[pos + 8:pos + 8 + size], dtype="<f4")
    pos += 8 + size + (size & 1)
tag, channels, rate = fmt[0], fmt[1], fmt[2]
assert tag in (3, 0xFFFE) and channels == want_channels, fmt
x = samples[:len(samples) // channels * channels].reshape(-1, channels)
rms = np.sqrt((x.astype(np.float64) ** 2).mean(axis=0))
print("  %s: %d Hz, %d channel(s), %.2f s, RMS per channel %s" % (path.split("/")[-1], rate, channels,
                                                                  len(x) / rate, np.round(rms, 5)))
assert len(x) >= min_seconds * rate, len(x)
assert np.isfinite(x).all() and (rms > 1e-5).all(), rms
