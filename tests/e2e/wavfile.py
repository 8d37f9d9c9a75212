"""Reading the daemon's float WAV recordings (numpy only), and the level of
a frequency in them, for the checkers."""
import numpy as np


def read_float_wav(path):
    data = open(path, "rb").read()
    pos, rate, channels = 12, 0, 0
    while pos + 8 <= len(data):
        tag, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if tag == b"fmt ":
            channels = int.from_bytes(data[pos + 10:pos + 12], "little")
            rate = int.from_bytes(data[pos + 12:pos + 16], "little")
        if tag == b"data":
            x = np.frombuffer(data[pos + 8:pos + 8 + size], dtype="<f4")
            return x.reshape(-1, channels), rate
        pos += 8 + size + (size & 1)
    raise ValueError("no data chunk")


def band_db(x, sr, hz, width=6):
    """The strongest bin within `width` Hz of `hz` in a Hann-windowed
    spectrum of x, in dB."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1.0 / sr)
    band = (freqs > hz - width) & (freqs < hz + width)
    return 20 * np.log10(spec[band].max() + 1e-12)
