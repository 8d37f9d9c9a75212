#!/usr/bin/python3
"""Soak: SECONDS of continuous playback with a moving cursor and a model
and terrain reload every 20 s (more often in short runs). Checks 0 xruns
and that resident memory grows by less than 1 MB between the end of the
first third (warm: libtorch's and malloc's caches fill during the first
ten or so reloads, then stay flat) and the end.
usage: soak.py PORT PID SECONDS"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402

PORT, PID, SECONDS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


with Client(port=PORT, timeout=30) as c:
    t0 = time.monotonic()
    warm_rss, last_reload = None, t0
    while time.monotonic() - t0 < SECONDS:
        t = time.monotonic() - t0
        c.send("/xy", math.sin(0.7 * t), math.cos(0.43 * t))
        time.sleep(0.02)
        if time.monotonic() - last_reload > min(20.0, SECONDS / 40):
            c.drain(0.05)
            c.load_terrain("demo.json")
            c.load_model("demo.ts")
            last_reload = time.monotonic()
        if warm_rss is None and t > SECONDS / 3:
            warm_rss = rss_kb()
    c.drain()
    s = c.status()
    end_rss = rss_kb()
print("soak %.0f s: xruns %d (device %d), frames %d, RSS %d kB -> %d kB (%+d kB)"
      % (SECONDS, s["xruns"], s["device_xruns"], s["frames"], warm_rss, end_rss, end_rss - warm_rss))
assert s["xruns"] == 0, "xruns during the soak"
assert end_rss - warm_rss < 1024, "resident memory grew by %d kB" % (end_rss - warm_rss)
print("  ok: 0 xruns, memory growth below 1 MB")
