#!/usr/bin/python3
"""Checks a running terraind over real OSC (python3-liblo): called by
test_daemon.sh with the daemon's port and its recording path."""
import math
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import liblo  # noqa: E402
import numpy as np  # noqa: E402
from terraind_client import Client, TerraindError  # noqa: E402

PORT = int(sys.argv[1])
# Sanitizer builds run many times slower: real-time checks apply to the normal build.
REALTIME = not os.environ.get("TERRAIND_SANITIZER")
BUILD_MODELS = sys.argv[2]


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("  ok:", what)


def expect_fail(c, path, *args, contains=""):
    try:
        c.request(path, *args)
    except TerraindError as e:
        check(contains in str(e), "%s %s -> /fail (%s)" % (path, args, e))
        return
    raise AssertionError("%s %s was accepted" % (path, args))


def wait_ready(c):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            return c.status(timeout=0.5)
        except TimeoutError:
            pass
    raise AssertionError("the daemon did not answer /status")


def check_realtime(cond, what):
    if REALTIME:
        check(cond, what)
    else:
        print("  skipped in a sanitizer build:", what)


def move_cursor(c, seconds):
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        t = time.monotonic() - t0
        c.send("/xy", math.sin(2 * t), math.cos(1.3 * t))
        time.sleep(0.01)
    c.drain()


def main():
    with Client(port=PORT, timeout=5) as c:
        s = wait_ready(c)
        check(s["model"] == "demo" and s["device_rate"] == 48000 and s["period"] == 128,
              "status names the model, the rate and the period")
        check(all(isinstance(k, str) for k in list(s)), "status.reply is key/value pairs")

        print("plays without xruns while the cursor moves")
        move_cursor(c, 4.0)
        s = c.status()
        check_realtime(s["xruns"] == 0, "0 xruns after 4 s of moving the cursor (device reported %d)" % s["device_xruns"])
        least = 300 if REALTIME else 30  # sanitizers: the render thread falls behind real time
        check(s["frames"] > least, "the render thread keeps rendering (%d frames)" % s["frames"])
        check_realtime(0 < s["latency_ms"] < s["latency_floor_ms"] + 15 + 15,  # ring_ms 15 in the test config
              "control-to-audio latency measured: %.1f ms (floor %.1f ms)" % (s["latency_ms"], s["latency_floor_ms"]))

        print("every request gets /done or /fail")
        c.xy(0.1, 0.2)
        c.request("/xy", 1, 0)  # integer tags are numbers too
        c.request("/xy", 0.5, np.float64(0.25).item())
        expect_fail(c, "/xy", 0.5, contains="expects 2 numbers")
        expect_fail(c, "/xy", "left", 0.5, contains="type 's'")
        expect_fail(c, "/xy", float("nan"), 0.5, contains="not a finite number")
        expect_fail(c, "/xy", float("inf"), 0.5, contains="not a finite number")
        expect_fail(c, "/no/such/thing", 1, contains="unknown address")
        expect_fail(c, "/gain", 9.0, contains="out of range")
        before = c.status()["clamped"]
        c.xy(50, -50)
        time.sleep(0.1)
        check(c.status()["clamped"] == before + 1, "a cursor outside the bounds is clamped and counted")
        c.gain(0.8)
        c.smooth(30)
        c.stylus(0.2, 0.3, 0.5)
        c.request("/1/xy1", 0.25, 0.75)  # TouchOSC pad, through the config's mapping
        c.request("/accxyz", 0.1, -0.2, 0.98)
        c.gesture([(0, -0.5, -0.5), (0.3, 0.5, 0.5), (0.6, 0.0, 0.9)])
        expect_fail(c, "/gesture", 0, 1, contains="groups of 3")
        expect_fail(c, "/gesture", 1, 0, 0, 0.5, 0, 0, contains="ascending")
        c.request("/gesture/stop")
        # A bundle of cursor moves, one of them scheduled 0.2 s ahead.
        b = liblo.Bundle()
        b.add(liblo.Message("/xy", 0.3, 0.3))
        c.server.send(c.target, b)
        c.wait_reply(lambda p, a: p == "/done" and a[0] == "/xy")
        later = liblo.Bundle(liblo.time() + 0.2, liblo.Message("/xy", -0.3, 0.3))
        c.server.send(c.target, later)
        c.wait_reply(lambda p, a: p == "/done" and a[0] == "/xy")
        print("  ok: bundles, immediate and timed")

        print("loads are confined, and a failed load keeps the sound")
        expect_fail(c, "/load/model", "/etc/passwd", contains="outside the allowed directories")
        expect_fail(c, "/load/terrain", "../../etc/hosts", contains="")
        expect_fail(c, "/load/model", "no-such.ts", contains="No such file")
        frames = c.status()["frames"]
        expect_fail(c, "/load/model", os.path.join(BUILD_MODELS, "stereo44k.ts"),
                    contains="the terrain produces 4 latents but the model 'stereo44k' decodes 64")
        expect_fail(c, "/load/model", os.path.join(BUILD_MODELS, "throws.ts"), contains="decoder exploded")
        time.sleep(0.3)
        s = c.status()
        check(s["frames"] > frames and s["model"] == "demo", "still playing demo after failed loads")
        c.load_terrain("demo.json")
        c.load_model("demo.ts")
        s = c.status()
        check_realtime(s["model"] == "demo" and s["xruns"] == 0, "reloads of model and terrain swap without an xrun")

        s = c.status()
        check_realtime(s["xruns"] == 0, "0 xruns at the end (device reported %d)" % s["device_xruns"])
        print("final status:", s)


if __name__ == "__main__":
    main()
