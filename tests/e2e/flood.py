#!/usr/bin/python3
"""OSC flood: sends RATE datagrams a second for SECONDS to a running
terraind (a mix of valid cursor moves, invalid messages, garbage and
oversized packets) while a second client asks /status every 100 ms.
Checks that every /status that reaches the daemon is answered within 50 ms
(one that the kernel dropped with the flood, its socket queue full, shows
in udp_dropped), that the daemon keeps 0 xruns, and that it counted what it
skipped, refused, or had dropped.

usage: flood.py PORT SECONDS RATE"""
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402

PORT, SECONDS, RATE = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
REALTIME = not os.environ.get("TERRAIND_SANITIZER")


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def message(address, tags, *values):
    return pad(address.encode()) + pad(("," + tags).encode()) + b"".join(values)


def f32(v):
    return struct.pack(">f", v)


PACKETS = [
    message("/xy", "ff", f32(0.1), f32(0.2)),
    message("/xy", "ff", f32(-0.4), f32(0.9)),
    message("/1/xy1", "ff", f32(0.3), f32(0.6)),
    message("/xy", "f", f32(0.5)),                      # too few arguments
    message("/xy", "ff", f32(float("nan")), f32(0)),    # not finite
    message("/no/such", "i", struct.pack(">i", 3)),     # unknown address
    b"\x01\x02garbage",                                  # not OSC
    message("/blob", "b", struct.pack(">i", 60000), b"\0" * 60000),  # oversized (60 kB), unknown address
]


def flood(stop, sent):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    t0 = time.monotonic()
    n, refused = 0, 0
    while not stop.is_set():
        due = int((time.monotonic() - t0) * RATE)
        while n < due:
            try:
                s.sendto(PACKETS[n % len(PACKETS)], ("127.0.0.1", PORT))
            except BlockingIOError:
                refused += 1  # never left this process
            n += 1
        time.sleep(0.001)
    sent.extend((n, refused))


def main():
    stop, sent = threading.Event(), []
    with Client(port=PORT, timeout=5) as c:
        deadline = time.monotonic() + 15
        while True:  # the daemon may still be starting
            try:
                before = c.status(timeout=0.5)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        sender = threading.Thread(target=flood, args=(stop, sent), daemon=True)
        sender.start()
        rtts, lost = [], 0
        t_end = time.monotonic() + SECONDS
        try:
            while time.monotonic() < t_end:
                t0 = time.monotonic()
                try:
                    c.status(timeout=1)
                    rtts.append(time.monotonic() - t0)
                except TimeoutError:
                    lost += 1  # the request never reached the daemon: see udp_dropped
                time.sleep(0.1)
        finally:
            stop.set()
            sender.join()
        time.sleep(0.3)
        c.drain()
        after = c.status()
    rtts.sort()
    sent_total, refused = sent
    print("sent %d datagrams in %.0f s (%.0f/s, %d refused by this side's socket); /status round trip: "
          "median %.1f ms, max %.1f ms, %d of %d requests lost"
          % (sent_total, SECONDS, sent_total / SECONDS, refused, 1e3 * rtts[len(rtts) // 2], 1e3 * rtts[-1],
             lost, lost + len(rtts)))
    for key in ("messages", "failures", "malformed", "coalesced", "udp_dropped", "replies_suppressed", "dropped",
                "xruns", "device_xruns"):
        print("  %-20s %d -> %d" % (key, before[key], after[key]))
    assert after["frames"] > before["frames"], "the sound stopped"
    delta = {k: after[k] - before[k] for k in ("messages", "malformed", "coalesced", "udp_dropped")}
    handled = delta["messages"] + delta["malformed"] + delta["coalesced"]
    # /status requests and replies, and loopback's own backlog, make the sums differ a little
    accounted = (handled + delta["udp_dropped"]) / (sent_total - refused)
    print("  accounted for: %.2f %% of the datagrams that left the sender" % (100 * accounted))
    assert lost == 0 or delta["udp_dropped"] > 0, "%d /status request(s) unanswered, none dropped" % lost
    if REALTIME:
        assert accounted > 0.98, "the daemon accounted for only %.1f %% of the datagrams" % (100 * accounted)
        assert after["xruns"] == before["xruns"], "xruns during the flood"
        assert rtts[-1] < 0.050, "a /status took %.1f ms" % (1e3 * rtts[-1])
    print("  ok: answered every /status that arrived within %.1f ms, 0 new xruns, every datagram "
          "accounted for" % (1e3 * rtts[-1]))


if __name__ == "__main__":
    main()
