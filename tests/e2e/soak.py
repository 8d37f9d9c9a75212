#!/usr/bin/python3
"""Soak: SECONDS of continuous playback with a moving cursor and a model
and terrain reload every SOAK_RELOAD seconds (default 20, fewer in short
runs; 0: never). Checks 0 xruns and that resident memory grows by less than
1 MB between the end of the first third (warm: libtorch's and malloc's
caches fill during the first ten or so reloads, then stay flat) and the end.

To tell the daemon's own stalls from the machine's, it also reports when
each xrun happened (within 3 s of a reload or not), how much CPU time the
hypervisor says it took (steal time, often not reported), and what an
outside witness saw: a separate process at real-time priority 3 (above the
render thread's 2) that wakes every 2 ms and records how late it woke. A
machine that holds up that process for longer than the ring lasts cannot
play glitch-free whatever the daemon does.
usage: soak.py PORT PID SECONDS"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402
from soak_probes import rss_kb, steal_seconds, witness  # noqa: E402

PORT, PID, SECONDS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
RELOAD = float(os.environ.get("SOAK_RELOAD", "20"))
RELOAD = min(RELOAD, SECONDS / 40) if RELOAD > 0 else 0
NEAR_RELOAD = 3.0


def soak(c):
    t0 = time.monotonic()
    steal0 = steal_seconds()
    warm_rss, last_reload, last_check = None, None, t0
    xruns, near, far = 0, 0, 0
    while time.monotonic() - t0 < SECONDS:
        now = time.monotonic()
        t = now - t0
        c.send("/xy", math.sin(0.7 * t), math.cos(0.43 * t))
        time.sleep(0.02)
        if RELOAD and now - (last_reload or t0) > RELOAD:
            c.drain(0.05)
            last_reload = time.monotonic()
            c.load_terrain("demo.json")
            c.load_model("demo.ts")
        if now - last_check >= 1.0:
            last_check = now
            st = c.status()
            count = st["xruns"]
            if count > xruns:
                recent = last_reload is not None and now - last_reload < NEAR_RELOAD
                if recent:
                    near += count - xruns
                else:
                    far += count - xruns
                print("  %6.1f s: %d xrun(s)%s; longest frame so far %.1f ms, device xruns %d"
                      % (t, count - xruns, " after a reload" if recent else "", st["render_max_ms"],
                         st["device_xruns"]), flush=True)
                xruns = count
        if warm_rss is None and t > SECONDS / 3:
            warm_rss = rss_kb(PID)
    c.drain()
    s = c.status()
    return s, warm_rss, rss_kb(PID), near, far, steal_seconds() - steal0


RING_MS = float(os.environ.get("SOAK_RING_MS", "15"))
witness_report = witness(SECONDS, RING_MS)
with Client(port=PORT, timeout=30) as client:
    s, warm_rss, end_rss, near, far, steal = soak(client)
worst_ms, stalls = witness_report()
print("soak %.0f s, reload every %s: xruns %d (%d within %.0f s of a reload, %d elsewhere; device %d), "
      "frames %d, RSS %d kB -> %d kB (%+d kB), steal %.2f s"
      % (SECONDS, "%.0f s" % RELOAD if RELOAD else "never", s["xruns"], near, NEAR_RELOAD, far,
         s["device_xruns"], s["frames"], warm_rss, end_rss, end_rss - warm_rss, steal))
print("witness (another process, real-time priority 3): woke up to %.1f ms late; %d wake-ups later than "
      "the ring's %.0f ms" % (worst_ms, stalls, RING_MS))
assert s["xruns"] == 0, "xruns during the soak"
assert end_rss - warm_rss < 1024, "resident memory grew by %d kB" % (end_rss - warm_rss)
print("  ok: 0 xruns, memory growth below 1 MB")
