#!/usr/bin/python3
"""Checks a running terraind over real OSC (python3-liblo): called by
test_daemon.sh with the daemon's port and its recording path."""
import json
import math
import os
import shutil
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import liblo  # noqa: E402
import numpy as np  # noqa: E402
sys.path.insert(0, os.path.dirname(__file__))
from terraind_client import Client, TerraindError  # noqa: E402
from waiting import SLOW, skip_part, wait_until  # noqa: E402

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
    deadline = time.monotonic() + 10 * SLOW
    while time.monotonic() < deadline:
        try:
            return c.status(timeout=0.5)
        except TimeoutError:
            pass
    raise AssertionError("the daemon did not answer /status")


def check_realtime(cond, name, what):
    """A claim about real-time behaviour: judged in the normal build; a
    sanitizer build renders slower than real time, so there it is a skip."""
    if REALTIME:
        check(cond, what)
    else:
        skip_part(name, "a sanitizer build renders slower than real time: " + what)


def move_cursor(c, seconds):
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        t = time.monotonic() - t0
        c.send("/xy", math.sin(2 * t), math.cos(1.3 * t))
        time.sleep(0.01)
    c.drain()


def cursor_updates(watcher, until, seconds):
    """(arrival time, x) of each /cursor pushed to `watcher` (subscribed with
    /notify) until until(x) is true or `seconds` pass."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        watcher.server.recv(10)
        now = time.monotonic()
        for path, args in watcher.replies:
            if path == "/cursor":
                seen.append((now, args[0]))
        watcher.replies.clear()
        if seen and until(seen[-1][1]):
            break
    return seen


def cursor_at(watcher, x, y, seconds=5):
    """Waits until the /cursor pushes show (x, y); the arrival time."""
    seen = cursor_xy(watcher, lambda p: abs(p[0] - x) < 1e-4 and abs(p[1] - y) < 1e-4, seconds)
    check(seen and abs(seen[-1][1][0] - x) < 1e-4 and abs(seen[-1][1][1] - y) < 1e-4,
          "the cursor reached (%g, %g) (last seen: %s)" % (x, y, seen[-1:] or "nothing"))
    return seen[-1][0]


RENEWED = [0.0]  # when the watcher's /notify was last renewed


def renew(watcher):
    """/notify again every 3 s: a subscription lasts 10 s, and a sanitizer
    build's checks take longer than that."""
    if time.monotonic() - RENEWED[0] >= 3:
        watcher.send("/notify", 60)
        RENEWED[0] = time.monotonic()


def cursor_xy(watcher, until, seconds):
    """(arrival time, (x, y)) of each /cursor push until until((x, y))."""
    seen = []
    deadline = time.monotonic() + seconds * SLOW
    while time.monotonic() < deadline:
        renew(watcher)
        watcher.server.recv(10)
        now = time.monotonic()
        for path, args in watcher.replies:
            if path == "/cursor":
                seen.append((now, tuple(args[:2])))
        watcher.replies.clear()
        if seen and until(seen[-1][1]):
            break
    return seen


def latents_for(watcher, seconds):
    """(arrival time, latent 0) of each /latent push during `seconds`."""
    got, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        renew(watcher)
        watcher.server.recv(10)
        now = time.monotonic()
        got += [(now, a[0]) for p, a in watcher.replies if p == "/latent"]
        watcher.replies.clear()
    return got


def check_controls(c):
    """Each control does what it says, seen in /status and in the /cursor and
    /latent streams of a /notify subscriber (not only answered /done)."""
    with Client(port=PORT, timeout=5) as watcher:
        watcher.notify(60)
        c.gain(0.8)
        check(abs(c.status()["gain"] - 0.8) < 1e-6, "/gain sets the output gain")
        c.stylus(0.2, 0.3, 0.5)  # a 2-D terrain: the pressure is a gain on top of the user's
        cursor_at(watcher, 0.2, 0.3)
        check(abs(c.status()["gain"] - 0.4) < 1e-6, "/stylus moves the cursor and its pressure scales the gain")
        c.request("/1/xy1", 0.25, 0.75)  # TouchOSC pad, [0, 1] onto the bounds [-1, 1]
        cursor_at(watcher, -0.5, 0.5)
        c.request("/accxyz", 0.1, -0.2, 0.98)  # mapped with swap, [-1, 1]: z is ignored
        cursor_at(watcher, -0.2, 0.1)
        print("  ok: /gain, /stylus, /1/xy1 and /accxyz move what they are mapped to")
        # /smooth: the latent (the demo's z0 is its pitch) glides from one place
        # to the next, or jumps: count the /latent pushes between the two
        c.smooth(0)
        c.xy(0.0, 0.0)  # 110 Hz; (0.8, 0.8) is 321 Hz
        z_a = latents_for(watcher, 0.4 * SLOW)[-1][1]
        c.xy(0.8, 0.8)
        jump = latents_for(watcher, 0.4 * SLOW)
        z_b = jump[-1][1]
        check(abs(z_b - z_a) > 0.5, "the two places have pitches apart (z0 %.2f and %.2f)" % (z_a, z_b))

        def between(got):
            return [z for _, z in got if min(z_a, z_b) + 0.1 * abs(z_b - z_a) < z < max(z_a, z_b) - 0.1 * abs(z_b - z_a)]

        check(not between(jump), "/smooth 0: the latent jumps (%d pushes between)" % len(between(jump)))
        c.smooth(400)
        c.xy(0.0, 0.0)
        glide = latents_for(watcher, 1.0 * SLOW)
        check(len(between(glide)) >= 5, "/smooth 400: the latent glides (%d pushes between)" % len(between(glide)))
        c.smooth(30)
        print("  ok: /smooth 400 glides from one place to the next, /smooth 0 jumps")
        # /gesture: the cursor follows its points in time
        c.xy(-0.5, -0.5)
        cursor_at(watcher, -0.5, -0.5)
        c.gesture([(0, -0.5, -0.5), (0.3, 0.5, 0.5), (0.6, 0.0, 0.9)])
        t0 = time.monotonic()
        seen = cursor_xy(watcher, lambda p: abs(p[0]) < 1e-4 and abs(p[1] - 0.9) < 1e-4, 5)
        done = seen[-1][0] - t0
        check(abs(seen[-1][1][1] - 0.9) < 1e-4, "the gesture ends at its last point (%s)" % (seen[-1:],))
        check(any(0.2 < p[0] < 0.5 for _, p in seen), "the gesture passes between its points")
        check_realtime(0.5 < done < 0.9, "gesture-time", "the gesture's 0.6 s took %.2f s" % done)
        watcher.notify(0)
        print("  ok: /gesture moves the cursor through its points in time (%.2f s for 0.6 s)" % done)


def check_bundles(c):
    """A bundle applies its moves at once; a timed one (timetag 0.3 s ahead)
    moves the cursor not before its time and soon after it, seen in the
    /cursor stream of a /notify subscriber."""
    with Client(port=PORT, timeout=5) as watcher:
        watcher.notify(60)
        b = liblo.Bundle()
        b.add(liblo.Message("/xy", 0.3, 0.3))
        c.server.send(c.target, b)
        c.wait_reply(lambda p, a: p == "/done" and a[0] == "/xy")
        seen = cursor_updates(watcher, lambda x: abs(x - 0.3) < 1e-6, 5)
        check(seen and abs(seen[-1][1] - 0.3) < 1e-6, "an immediate bundle moves the cursor")
        ahead = 0.3
        sent = time.monotonic()
        c.server.send(c.target, liblo.Bundle(liblo.time() + ahead, liblo.Message("/xy", -0.3, 0.3)))
        due = sent + ahead
        c.wait_reply(lambda p, a: p == "/done" and a[0] == "/xy")
        seen = cursor_updates(watcher, lambda x: abs(x + 0.3) < 1e-6, ahead + 5)
        moved = [t for t, x in seen if abs(x + 0.3) < 1e-6]
        check(moved, "the timed bundle moved the cursor (last /cursor x: %s)" % (seen[-1:] or "none"))
        before = [t for t, x in seen if t < moved[0]]
        # The /cursor stream (60 a second) was alive, showing the cursor unmoved, up to 100 ms
        # before the move was due: an early move could not have gone unseen.
        check_realtime(before and before[-1] > due - 0.1, "bundle-time",
                       "the cursor was seen unmoved until %.0f ms before the timetag" %
                       (1000 * (due - before[-1]) if before else float("inf")))
        # The daemon maps the timetag onto its clock when the bundle arrives (after `sent`): 2 ms for clock reads.
        check(moved[0] >= due - 0.002, "the timed move did not land early (%.1f ms after the timetag)" %
              (1000 * (moved[0] - due)))
        # One latent frame (10.7 ms), one /notify period (17 ms) and the machine's scheduling.
        late = 0.1 if REALTIME else 1.0
        check(moved[0] <= due + late, "the timed move landed %.1f ms after its timetag (at most %.0f ms)" %
              (1000 * (moved[0] - due), 1000 * late))
        watcher.notify(0)


def check_reloads(c):
    """Loading another model and terrain swaps them in (their names in
    /status), and loading the demo ones again swaps those back, without an
    xrun. The others are copies of the demo's under other names, so that
    they fit and the names tell which is playing."""
    model_copy = os.path.join(BUILD_MODELS, "reloaded.ts")
    terrain_copy = os.path.join(BUILD_MODELS, "reloaded.json")
    shutil.copyfile("models/demo.ts", model_copy)
    with open("terrains/demo.json") as f:
        terrain = json.load(f)
    terrain["name"] = "reloaded"
    with open(terrain_copy, "w") as f:
        json.dump(terrain, f)
    try:
        c.load_model(model_copy)
        c.load_terrain(terrain_copy)
        s = c.status()
        check(s["model"] == "reloaded" and s["terrain"] == "reloaded",
              "another model and terrain are playing after /load (%s, %s)" % (s["model"], s["terrain"]))
        c.load_terrain("demo.json")
        c.load_model("demo.ts")
        s = c.status()
        check(s["model"] == "demo" and s["terrain"] == "demo", "the demo's are playing again after /load")
        check_realtime(s["xruns"] == 0, "reload-xruns", "reloads of model and terrain swap without an xrun")
    finally:
        os.remove(model_copy)
        os.remove(terrain_copy)


def main():
    with Client(port=PORT, timeout=5) as c:
        s = wait_ready(c)
        check(s["model"] == "demo" and s["device_rate"] == 48000 and s["period"] == 128,
              "status names the model, the rate and the period")
        check(all(isinstance(k, str) for k in list(s)), "status.reply is key/value pairs")

        print("plays without xruns while the cursor moves")
        move_cursor(c, 4.0)
        s = c.status()
        check_realtime(s["xruns"] == 0, "moving-xruns", "0 xruns after 4 s of moving the cursor (device reported %d)" % s["device_xruns"])
        least = 300 if REALTIME else 30  # sanitizers: the render thread falls behind real time
        check(s["frames"] > least, "the render thread keeps rendering (%d frames)" % s["frames"])
        check_realtime(0 < s["latency_ms"] < s["latency_floor_ms"] + 15 + 15, "latency",  # ring_ms 15 in the test config
              "control-to-audio latency measured: %.1f ms (floor %.1f ms)" % (s["latency_ms"], s["latency_floor_ms"]))
        check(abs(s["ring_target_ms"] - 15) < 0.1, "the ring's target is audio.ring_ms (%.2f ms)" % s["ring_target_ms"])

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
        wait_until(lambda: c.status()["clamped"] != before, "the cursor outside the bounds is applied")
        check(c.status()["clamped"] == before + 1, "a cursor outside the bounds is clamped and counted")
        check_controls(c)
        expect_fail(c, "/gesture", 0, 1, contains="groups of 3")
        expect_fail(c, "/gesture", 1, 0, 0, 0.5, 0, 0, contains="ascending")
        c.request("/gesture/stop")
        check_bundles(c)

        print("loads are confined, and a failed load keeps the sound")
        expect_fail(c, "/load/model", "/etc/passwd", contains="outside the allowed directories")
        # A relative path that climbs out of the working directory to a file that exists.
        expect_fail(c, "/load/terrain", os.path.relpath("/etc/hosts"), contains="outside the allowed directories")
        expect_fail(c, "/load/model", "no-such.ts", contains="No such file")
        frames = c.status()["frames"]
        expect_fail(c, "/load/model", os.path.join(BUILD_MODELS, "stereo44k.ts"),
                    contains="the terrain produces 4 latents but the model 'stereo44k' decodes 64")
        expect_fail(c, "/load/model", os.path.join(BUILD_MODELS, "throws.ts"), contains="decoder exploded")
        wait_until(lambda: c.status()["frames"] > frames, "frames are rendered after failed loads")
        check(c.status()["model"] == "demo", "still playing demo after failed loads")
        check_reloads(c)

        s = c.status()
        check_realtime(s["xruns"] == 0, "end-xruns", "0 xruns at the end (device reported %d)" % s["device_xruns"])
        print("final status:", s)


if __name__ == "__main__":
    main()
