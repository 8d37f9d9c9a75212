"""The fundamental frequency of a stretch of audio, for the checkers."""
import numpy as np


def f0(x, sr):
    """By autocorrelation, between 50 and 1000 Hz."""
    x = x - x.mean()
    ac = np.correlate(x, x, "full")[len(x) - 1:]
    lo, hi = sr // 1000, sr // 50
    return sr / (lo + np.argmax(ac[lo:hi]))
