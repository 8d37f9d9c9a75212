#!/usr/bin/python3
"""Checks a daemon playing a model made by upstream export code (called by
test_upstream_models.sh): it renders while the cursor moves, decodes
without an error, and reports the model's rate source, frames per call
and latency in /status.
usage: upstream_live_checks.py PORT FRAMES_PER_CALL RATE RATE_SOURCE_TEXT X Y"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

PORT, FPC, RATE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
SOURCE, X, Y = sys.argv[4], float(sys.argv[5]), float(sys.argv[6])


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("  ok:", what)


def status(c):
    return wait_until(lambda: try_status(c), "the daemon answers /status", 30)


def try_status(c):
    try:
        return c.status(timeout=0.5)
    except TimeoutError:
        return None


with Client(port=PORT) as c:
    s = status(c)
    check(s["frames_per_call"] == FPC, "frames_per_call %d (%s)" % (s["frames_per_call"], s["model"]))
    check(s["model_rate"] == RATE, "model_rate %d" % s["model_rate"])
    check(SOURCE in s["model_rate_source"], "model_rate_source '%s'" % s["model_rate_source"])
    unstated = SOURCE.startswith("not stated")
    check(("does not state its sample rate" in s["model_warning"]) == unstated,
          "model_warning '%s'" % s["model_warning"][:60])
    expected_ms = 1000.0 * FPC * s["ratio"] / RATE
    check(abs(s["model_latency_ms"] - expected_ms) < 0.1,
          "model_latency_ms %.1f = %d frame(s) of %d samples" % (s["model_latency_ms"], FPC, s["ratio"]))
    check(s["latency_floor_ms"] >= s["model_latency_ms"], "latency_floor_ms includes a whole call")
    check(s["model_warmup_ms"] > 0, "model_warmup_ms %.1f" % s["model_warmup_ms"])
    start = s["frames"]
    # Sweep the cursor across the terrain while it plays: 20 moves.
    for i in range(20):
        t = i / 19.0
        c.xy(-X + 2 * X * t, -Y + 2 * Y * t)
        wait_until(lambda: status(c)["frames"] > start + i // 4, "decode calls keep coming", 10)
    s = wait_until(lambda: (lambda st: st if st["frames"] >= start + 6 else None)(status(c)),
                   "6 decode calls rendered while the cursor moved", 20)
    check(s["decode_errors"] == 0, "%d calls rendered, 0 decode errors" % (s["frames"] - start))
    check(s["audio"] == "running", "audio running on %s" % s["device"])
