#!/usr/bin/python3
"""The granular synthesiser on the live daemon (the render thread, not the
offline path): /grain/... over UDP, grains counted in /status while they
sound, the scanner pushed to /notify subscribers as /grain/cursor, a bad
value refused with a reason.

Usage: grains_checks.py PORT"""
import sys

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client, TerraindError  # noqa: E402
from waiting import wait_until  # noqa: E402


def main():
    port = int(sys.argv[1])
    with Client(port=port) as c:
        try:
            c.request("/grain/density", 5000.0)
            raise AssertionError("/grain/density 5000 was accepted")
        except TerraindError as e:
            assert "out of range (0.1 to 1000)" in str(e), e
        c.request("/grain/line", 0.0, 0.0, 0.8, 0.8)
        c.request("/grain/position", 0.5)
        c.request("/grain/size", 40.0)
        c.request("/grain/density", 25.0)
        c.request("/grain/on")
        s = wait_until(lambda: (lambda s: s if s["grains_started"] >= 5 else None)(c.status()),
                       "five grains have started")
        assert s["grains_skipped"] == 0, s
        print("  ok: %d grains started live, none skipped" % s["grains_started"])
        c.request("/notify", 30)
        got = wait_until(lambda: c.wait_reply(lambda p, a: p == "/grain/cursor", timeout=1),
                         "a /grain/cursor update")
        assert abs(got[1][0] - 0.4) < 1e-5 and abs(got[1][1] - 0.4) < 1e-5, got
        c.request("/notify", 0)
        c.drain()
        print("  ok: /notify sends /grain/cursor %.2f %.2f" % tuple(got[1][:2]))
        c.request("/grain/off")
        wait_until(lambda: c.status()["grains_sounding"] == 0, "the last grain has ended")
        print("  ok: /grain/off: the grains end")


if __name__ == "__main__":
    main()
