#!/usr/bin/python3
"""Ableton Link between two daemons (inside test_link.sh's network namespace).

Usage: link_checks.py PORT1 PORT2"""
import sys
import time

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client, TerraindError  # noqa: E402
from waiting import SLOW, wait_until  # noqa: E402

BAR = 4  # beats: the default meter


def loop_info(c, n):
    c.send("/loop/%d/get" % n)
    _, args = c.wait_reply(lambda p, a: p == "/loop/%d/info" % n)
    return dict(zip(args[0::2], args[1::2]))


def check_loops_share_the_grid(a, b):
    """A loop quantized to the bar starts on a bar line of the shared Link
    timeline in each daemon (their own beat counts are more than a bar apart:
    they ran at 60 and 240 BPM before joining), and two one-bar loops play
    in phase."""
    for c in (a, b):
        c.request("/tempo", 120)  # a bar is 2 s
        c.request("/loop/0/set", "quantize", "bar")
        c.request("/loop/0/record")
    time.sleep(2.2)
    for c in (a, b):
        c.request("/loop/0/record")  # ends on the next bar line
    infos = [wait_until(lambda c=c: (lambda i: i if i["state"] == "playing" else None)(loop_info(c, 0)),
                        "the loop plays after its bar", 10) for c in (a, b)]
    starts = [i["start_beat"] for i in infos]
    for beat in starts:
        assert abs(beat / BAR - round(beat / BAR)) < 0.02, "a take started at beat %.3f, not on a bar line" % beat
    assert abs(starts[0] - starts[1]) < 0.05, "the daemons' takes started at beats %.3f and %.3f" % tuple(starts)
    lengths = [i["length"] for i in infos]
    t0 = time.monotonic()
    pa, pb = loop_info(a, 0)["position"], loop_info(b, 0)["position"]
    gap = time.monotonic() - t0
    phase = abs(pa - pb) % lengths[0]
    phase = min(phase, lengths[0] - phase)
    assert abs(lengths[0] - lengths[1]) < 0.05, lengths
    assert phase < 0.05 * SLOW + gap, "the loops play %.3f s apart" % phase
    print("  ok: quantized takes start on the same bar line of the Link timeline (beat %.2f and %.2f) and play "
          "in phase (%.0f ms apart)" % (starts[0], starts[1], 1000 * phase))
    for c in (a, b):
        c.request("/loop/0/clear")


def main():
    with Client(port=int(sys.argv[1])) as a, Client(port=int(sys.argv[2])) as b:
        for c in (a, b):
            s = c.status()
            assert s["link"] == 0 and s["link_peers"] == 0, s
        print("  ok: Link is off by default")
        # Apart, each daemon counts its own beats: 60 and 240 BPM for 2 s puts
        # them 6 beats (more than a bar) apart before they join.
        a.request("/tempo", 60)
        b.request("/tempo", 240)
        time.sleep(2)
        try:
            a.request("/link", 2)
            raise AssertionError("/link 2 was accepted")
        except TerraindError as e:
            assert "out of range" in str(e), e
        a.request("/link", 1)
        b.request("/link", 1)
        wait_until(lambda: a.status()["link_peers"] == 1 and b.status()["link_peers"] == 1,
                   "the two daemons see each other", seconds=10)
        print("  ok: /link 1 on both: each sees one peer")
        a.request("/tempo", 133)
        wait_until(lambda: abs(b.status()["tempo"] - 133) < 1e-3, "the other daemon takes tempo 133")
        b.request("/tempo", 77.5)
        wait_until(lambda: abs(a.status()["tempo"] - 77.5) < 1e-3, "the first daemon takes tempo 77.5")
        print("  ok: /tempo on either daemon sets both (133, then 77.5)")
        check_loops_share_the_grid(a, b)
        b.request("/tempo", 77.5)
        wait_until(lambda: abs(a.status()["tempo"] - 77.5) < 1e-3, "the first daemon takes tempo 77.5")
        b.request("/link", 0)
        wait_until(lambda: a.status()["link_peers"] == 0, "the first daemon sees no peer after /link 0")
        a.request("/tempo", 100)
        s = b.status()
        assert s["link"] == 0 and abs(s["tempo"] - 77.5) < 1e-3, s
        print("  ok: /link 0 leaves the session: the tempo stays, the other peer's changes no longer arrive")


if __name__ == "__main__":
    main()
