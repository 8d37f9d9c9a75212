#!/usr/bin/python3
"""Ableton Link between two daemons (inside test_link.sh's network namespace).

Usage: link_checks.py PORT1 PORT2"""
import sys

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client, TerraindError  # noqa: E402
from waiting import wait_until  # noqa: E402


def main():
    with Client(port=int(sys.argv[1])) as a, Client(port=int(sys.argv[2])) as b:
        for c in (a, b):
            s = c.status()
            assert s["link"] == 0 and s["link_peers"] == 0, s
        print("  ok: Link is off by default")
        a.request("/tempo", 90)
        b.request("/tempo", 140)
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
        b.request("/link", 0)
        wait_until(lambda: a.status()["link_peers"] == 0, "the first daemon sees no peer after /link 0")
        a.request("/tempo", 100)
        s = b.status()
        assert s["link"] == 0 and abs(s["tempo"] - 77.5) < 1e-3, s
        print("  ok: /link 0 leaves the session: the tempo stays, the other peer's changes no longer arrive")


main()
