#!/usr/bin/python3
"""Voices on the live daemon: two voices at two places of the demo terrain,
then one released, then the model reloaded while the other plays. Sends the OSC, checks /status and /notify while it
plays; the recording is checked afterwards by voices_recording.py.

Where each phase lies in the recording is written to MARKS (JSON): the
daemon's count of latent frames rendered at each step (a frame of the
demo model is 512 samples; the recording starts with the first callback,
a ring's fill behind the render thread).

Usage: voices_checks.py PORT MARKS"""
import json
import sys
import time

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client, TerraindError  # noqa: E402
from waiting import wait_until  # noqa: E402

LOW = (0.0, 0.0)     # 109 Hz, harmonic (terrain eval: pitch -1.01, noisiness -2.48)
HIGH = (-0.9, -0.5)  # 273 Hz = 2.5 x 109: between the low voice's 2nd and 3rd harmonics
PHASE_S = 2.0        # each phase's length in the recording (pacing, not synchronisation)


def main():
    port = int(sys.argv[1])
    marks = {}
    with Client(port=port) as c:
        c.request("/voice/0/xy", *LOW)
        c.request("/voice/1/xy", *HIGH)
        s = wait_until(lambda: (lambda s: s if s["voices_active"] == 2 else None)(c.status()),
                       "two voices sound")
        assert s["voices_max"] == 8, s
        print("  ok: /voice/0/xy and /voice/1/xy: %d voices of %d sound" % (s["voices_active"], s["voices_max"]))
        # engine.render_workers 2: voice 1's row is the second instance's, decoded on the render worker
        assert s["render_threads"] == 2, s
        before = s["worker_decodes"]
        s = wait_until(lambda: (lambda s: s if s["worker_decodes"] > before else None)(c.status()),
                       "the render worker decodes")
        print("  ok: two render threads; the worker has decoded %d calls" % s["worker_decodes"])

        c.request("/notify", 30)
        got = wait_until(lambda: c.wait_reply(lambda p, a: p == "/voice/1/cursor", timeout=1),
                         "a /voice/1/cursor update")
        assert abs(got[1][0] - HIGH[0]) < 1e-5 and abs(got[1][1] - HIGH[1]) < 1e-5, got
        c.request("/notify", 0)
        c.drain()  # pushes already sent (a /status.reply among them) must not answer c.status()
        print("  ok: /notify sends /voice/1/cursor %.2f %.2f" % tuple(got[1][:2]))

        for address, args, reason in [("/voice/8/xy", LOW, "no such voice"),
                                      ("/voice/x/xy", LOW, "no such voice"),
                                      ("/voice/1/pan", (2.0,), "out of range"),
                                      ("/voice/1/gain", (-1.0,), "out of range"),
                                      ("/voice/1/jump", (), "unknown address")]:
            try:
                c.request(address, *args)
                raise AssertionError("%s was accepted" % address)
            except TerraindError as e:
                assert reason in str(e), e
        print("  ok: bad voice addresses get /fail with a reason")

        time.sleep(PHASE_S)          # phase 1 of the recording: both pitches
        marks["release"] = c.status()["frames"]
        c.request("/voice/1/off")
        wait_until(lambda: c.status()["voices_active"] == 1, "voice 1 has faded out")
        print("  ok: /voice/1/off: one voice left")
        time.sleep(PHASE_S)          # phase 2: the low pitch alone
        marks["reload"] = c.status()["frames"]
        c.request("/load/model", "demo.ts", timeout=30)   # phase 3: a reload while it plays
        marks["reloaded"] = c.status()["frames"]
        print("  ok: /load/model while playing answered /done once audible")
        time.sleep(PHASE_S)
        s = c.status()
        marks["end"] = s["frames"]
        with open(sys.argv[2], "w") as f:
            json.dump(marks, f)

        # A terrain made for another model brings that model (models/speech.ts); a scene swaps both.
        c.request("/load/terrain", "speech.json", timeout=30)
        s = c.status()
        assert (s["model"], s["terrain"]) == ("speech", "speech"), s
        c.request("/load/scene", "demo.ts", "demo.json", timeout=30)
        s = c.status()
        assert (s["model"], s["terrain"]) == ("demo", "demo"), s
        assert s["render_threads"] == 2, s  # the scene's new model came with its second instance
        try:
            c.request("/load/scene", "demo.ts")
            raise AssertionError("/load/scene with one argument was accepted")
        except TerraindError as e:
            assert "two strings" in str(e), e
        print("  ok: /load/terrain speech.json brought its model; /load/scene demo.ts demo.json swapped both")
        print("  voices_shed %d, xruns %d" % (s["voices_shed"], s["xruns"]))
        assert s["voices_shed"] == 0, s


if __name__ == "__main__":
    main()
