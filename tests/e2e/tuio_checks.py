#!/usr/bin/python3
"""TUIO 1.1 cursors on the live daemon: frames sent as a tracker sends them
(source, alive, set..., fseq in one bundle) to the TUIO port play one voice
per session; a session missing from `alive` releases its voice; the sender
gets no replies but a /fail for a malformed message.

Usage: tuio_checks.py OSC_PORT TUIO_PORT"""
import sys

import liblo

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402


class Tracker:
    """A TUIO 1.1 sender: one bundle per frame, from its own socket."""

    def __init__(self, port):
        self.target = liblo.Address("127.0.0.1", port)
        self.server = liblo.Server(0)
        self.replies = []
        self.server.add_method(None, None, lambda path, args: self.replies.append((path, list(args))))
        self.fseq = 0

    def frame(self, cursors):
        """cursors: {session: (x, y)}, every session touching now."""
        self.fseq += 1
        b = liblo.Bundle(liblo.Message("/tuio/2Dcur", "source", "tuio_checks@localhost"),
                         liblo.Message("/tuio/2Dcur", "alive", *sorted(cursors)))
        for s, (x, y) in sorted(cursors.items()):
            b.add(liblo.Message("/tuio/2Dcur", "set", s, float(x), float(y), 0.0, 0.0, 0.0))
        b.add(liblo.Message("/tuio/2Dcur", "fseq", self.fseq))
        self.server.send(self.target, b)


def voices_active(c, n):
    s = c.status()
    return s if s["voices_active"] == n else None


def main():
    port, tuio_port = int(sys.argv[1]), int(sys.argv[2])
    tracker = Tracker(tuio_port)
    with Client(port=port) as c:
        base = c.status()
        assert base["voices_active"] == 1, base  # voice 0 sounds from the start
        # Three touches: voices 0, 1, 2. TUIO's y points down: (0.75, 1.0) is the bottom right.
        tracker.frame({11: (0.25, 0.0), 12: (0.75, 1.0), 13: (0.5, 0.5)})
        wait_until(lambda: voices_active(c, 3), "three TUIO cursors sound three voices")
        print("  ok: three TUIO sessions sound voices 0, 1 and 2 (voices_active 3)")

        c.request("/notify", 30)
        got = wait_until(lambda: c.wait_reply(lambda p, a: p == "/voice/1/cursor", timeout=1),
                         "a /voice/1/cursor update")
        assert abs(got[1][0] - 0.5) < 1e-5 and abs(got[1][1] + 1.0) < 1e-5, got
        c.request("/notify", 0)
        c.drain()
        print("  ok: session 12 at TUIO (0.75, 1.0) plays voice 1 at (%.2f, %.2f) on the terrain" % tuple(got[1][:2]))

        tracker.frame({12: (0.75, 0.9)})  # sessions 11 and 13 lifted
        wait_until(lambda: voices_active(c, 1), "the ended sessions release their voices")
        print("  ok: alive without sessions 11 and 13 releases their voices (voices_active 1)")

        # Replies arrive in order: the /fail for a malformed message comes
        # after anything the frames above could have caused.
        tracker.server.send(tracker.target, "/tuio/2Dcur", "bogus")
        wait_until(lambda: tracker.server.recv(10) or tracker.replies, "a /fail for a malformed TUIO message")
        assert tracker.replies[0][0] == "/fail" and "source, alive, set or fseq" in tracker.replies[0][1][1], \
            tracker.replies
        assert len(tracker.replies) == 1, tracker.replies
        print("  ok: the tracker got no replies to its frames, and /fail for a malformed message")
    tracker.server.free()


if __name__ == "__main__":
    main()
