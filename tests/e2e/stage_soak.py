#!/usr/bin/python3
"""The stage soak (issue 21's "hours on stage"): a performer's whole load,
for SECONDS: five voices moving 25 times a second each, a loop playing on a
voice of its own (loop 0, recorded from voice 0's path), a grain scanner
(borrowing free voices), and a terrain swap every 15 s between two
terrains, sent while everything plays.

Each second it reads /status: xruns (terraind's own) and device_xruns
(JACK's), voices shed, the last control-to-audio latency, and the
daemon's resident memory; it says how many of the xruns after the first
minute came within 2 s of a swap, and how memory grew in each half of the
time after it. Targets: every swap answered /done, no voice
shed, no xrun after the first minute, resident memory growing by less
than 1 MB from the end of the first minute to the end. It prints the
figures, then fails on a target missed.
usage: stage_soak.py PORT PID SECONDS TERRAIN_A TERRAIN_B
(STAGE_VOICES and GRAIN_DENSITY lighten the load: 5 and 10 a second by default)"""
import math
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402
from soak_probes import percentile, rss_kb, steal_seconds, witness  # noqa: E402

PORT, PID, SECONDS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
TERRAINS = sys.argv[4:6]
# The load of issue 21's measurement by default; a machine that cannot
# decode that many rows of a heavy model in real time soaks a lighter one.
VOICES = int(os.environ.get("STAGE_VOICES", "5"))
GRAIN_DENSITY = float(os.environ.get("GRAIN_DENSITY", "10"))
MOVES_HZ = 25
SWAP_S = 15
WARM_S = min(60, SECONDS / 3)  # the first minute: the scene warms up, caches fill
RING_MS = float(os.environ.get("SOAK_RING_MS", "10"))


def start_loop_and_grains(c):
    """Loop 0 records voice 0 for 2 s, then plays on its own voice; the
    grain scanner starts on the terrain's diagonal."""
    c.request("/loop/0/record", 0)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.0:
        t = time.monotonic() - t0
        c.send("/voice/0/xy", 0.8 * math.sin(3 * t), 0.8 * math.cos(2 * t))
        time.sleep(1.0 / MOVES_HZ)
    c.request("/loop/0/record")
    # The grain settings are controls: with osc.reply_controls false only a /fail answers them.
    for address, *args in (("/grain/line",), ("/grain/size", 50.0), ("/grain/density", GRAIN_DENSITY), ("/grain/on",)):
        c.send(address, *args)
    c.status()
    refused = [(p, a) for p, a in c.replies if p == "/fail"]
    if refused:
        raise AssertionError("the loop or grains were refused: %s" % refused)


class Swaps:
    """Terrain swaps sent without waiting; their answers picked from the
    replies as they come."""

    def __init__(self):
        self.sent, self.done, self.failed, self.pending_since, self.slowest = 0, 0, [], None, 0.0
        self.spans = []  # (sent, answered) monotonic times

    def send(self, c):
        if self.pending_since is None:  # one at a time, as a performer's button would
            c.send("/load/terrain", TERRAINS[self.sent % 2])
            self.sent += 1
            self.pending_since = time.monotonic()

    def collect(self, c):
        for path, args in list(c.replies):
            if path in ("/done", "/fail") and args and args[0] == "/load/terrain":
                c.replies.remove((path, args))
                if path == "/done":
                    self.done += 1
                else:
                    self.failed.append(args[1] if len(args) > 1 else "?")
                self.slowest = max(self.slowest, time.monotonic() - self.pending_since)
                self.spans.append((self.pending_since, time.monotonic()))
                self.pending_since = None

    def settled(self, now, margin=2.0):
        """No swap in flight, and the last one answered at least `margin` s
        ago: its crossfade is over, the old scene freed, and the memory of
        the parse given back, so resident memory read now is the scene's
        own and not a swap's passing peak."""
        return self.pending_since is None and (not self.spans or now - self.spans[-1][1] >= margin)

    def near(self, t, margin):
        """Whether time t falls within `margin` s of a swap (from its
        sending to its answer; the crossfade follows the answer)."""
        return any(sent - margin <= t <= answered + margin for sent, answered in self.spans)


class Timeline:
    """Each second after the first minute: when it was read, the xruns it
    added (terraind's and the device's) and the resident memory, to say
    whether xruns cluster at the swaps and how memory grows."""

    def __init__(self):
        self.seconds, self.last = [], None

    def add(self, t, st, rss):
        if self.last is not None:
            self.seconds.append((t, st["xruns"] - self.last["xruns"],
                                 st["device_xruns"] - self.last["device_xruns"], rss))
        self.last = st

    def xruns_near_swaps(self, swaps, column, margin=2.0):
        """(xruns within `margin` s of a swap, all xruns, share of the
        seconds that lie near a swap); column 1: terraind's, 2: the device's."""
        near = [swaps.near(second[0], margin) for second in self.seconds]
        xruns = [second[column] for second in self.seconds]
        return (sum(x for x, n in zip(xruns, near) if n), sum(xruns),
                sum(near) / len(near) if near else 0.0)

    def rss_halves(self):
        """Memory growth over the first and the second half of the time
        after the first minute, in kB."""
        if len(self.seconds) < 3:
            return 0, 0
        mid = len(self.seconds) // 2
        first, middle, last = self.seconds[0][3], self.seconds[mid][3], self.seconds[-1][3]
        return middle - first, last - middle


    def rss_steps(self, at_least_kb=64):
        """The seconds in which resident memory moved by at least
        at_least_kb, up or down, as (seconds after the first minute, kB): a
        few steps up (a heap growing once) read differently from a steady
        creep, and a step up followed by one down from either (a swap's
        parse, in memory given back when it is done)."""
        if not self.seconds:
            return []
        t0 = self.seconds[0][0]
        return [(t - t0, rss - previous[3]) for previous, (t, _, _, rss) in zip(self.seconds, self.seconds[1:])
                if abs(rss - previous[3]) >= at_least_kb]


def move_voices(c, t):
    for v in range(VOICES):
        c.send("/voice/%d/xy" % v, 0.8 * math.sin(0.5 * t + 1.3 * v), 0.8 * math.cos(0.37 * t + 2.1 * v))


def soak(c):
    swaps, timeline = Swaps(), Timeline()
    t0 = time.monotonic()
    last_second, last_swap = t0, t0
    warm, latencies = None, []
    while time.monotonic() - t0 < SECONDS:
        now = time.monotonic()
        move_voices(c, now - t0)
        c.send("/grain/position", 0.5 + 0.5 * math.sin(0.2 * (now - t0)))
        c.server.recv(0)
        swaps.collect(c)
        if now - last_swap >= SWAP_S:
            last_swap = now
            swaps.send(c)
        if now - last_second >= 1.0:
            last_second = now
            st = c.status()
            if warm is None and now - t0 >= WARM_S and swaps.settled(now):
                warm = dict(st, rss_kb=rss_kb(PID))
            if warm is not None:
                timeline.add(now, st, rss_kb(PID))
                if st["latency_ms"] >= 0:
                    latencies.append(st["latency_ms"])
        time.sleep(max(0.0, 1.0 / MOVES_HZ - (time.monotonic() - now)))
    deadline = time.monotonic() + 30
    while not swaps.settled(time.monotonic()) and time.monotonic() < deadline:
        c.server.recv(100)
        swaps.collect(c)
    return swaps, timeline, warm, dict(c.status(), rss_kb=rss_kb(PID)), latencies


def report(swaps, timeline, warm, end, latencies, steal, witness_ms, witness_stalls):
    print("stage soak, %.0f s: %d voices moving %d/s, loop 0 on a voice of its own, grains of 50 ms at %g/s "
          "(%d started, %d skipped), a terrain swap every %d s"
          % (SECONDS, VOICES, MOVES_HZ, GRAIN_DENSITY, end["grains_started"], end["grains_skipped"], SWAP_S))
    print("  swaps: %d sent, %d /done, %d /fail%s; slowest answer %.2f s"
          % (swaps.sent, swaps.done, len(swaps.failed),
             (" (" + swaps.failed[0] + ")") if swaps.failed else "", swaps.slowest))
    print("  xruns: %d in all, %d after the first %.0f s (device: %d in all, %d after); voices shed %d; "
          "decode errors %d" % (end["xruns"], end["xruns"] - warm["xruns"], WARM_S, end["device_xruns"],
                                end["device_xruns"] - warm["device_xruns"], end["voices_shed"],
                                end["decode_errors"]))
    print("  control-to-audio latency after the first %.0f s (%d samples, one a second): median %.1f ms, "
          "p95 %.1f ms, max %.1f ms; render threads %d, sub-frame %s, re-decodes %d, refused %d"
          % (WARM_S, len(latencies), statistics.median(latencies) if latencies else -1,
             percentile(latencies, 0.95), max(latencies, default=-1), end["render_threads"], end["subframe"],
             end["redecodes"], end["redecodes_refused"]))
    print("  resident memory: %d kB after the first %.0f s, %d kB at the end (%+d kB); slowest frame %.1f ms; "
          "steal %.2f s" % (warm["rss_kb"], WARM_S, end["rss_kb"], end["rss_kb"] - warm["rss_kb"],
                            end["render_max_ms"], steal))
    near, xruns, share = timeline.xruns_near_swaps(swaps, 1)
    device_near, device_xruns, _ = timeline.xruns_near_swaps(swaps, 2)
    print("  xruns after the first %.0f s within 2 s of a swap (those seconds are %.0f %% of the time): "
          "%d of %d (device: %d of %d)" % (WARM_S, 100 * share, near, xruns, device_near, device_xruns))
    first_half, second_half = timeline.rss_halves()
    print("  resident memory growth: %+d kB in the first half after the first %.0f s, %+d kB in the second"
          % (first_half, WARM_S, second_half))
    steps = timeline.rss_steps()
    up, down = [kb for _, kb in steps if kb > 0], [kb for _, kb in steps if kb < 0]
    print("  moves of 64 kB or more within a second: %d up (%+d kB), %d down (%+d kB)%s%s"
          % (len(up), sum(up), len(down), sum(down), ": " if steps else "",
             ", ".join("%+d kB at %.0f s%s" % (kb, t, " near a swap" if swaps.near(t + timeline.seconds[0][0], 2.0)
                                                else "") for t, kb in steps[:12])))
    print("  witness (another process, real-time priority 3): woke up to %.1f ms late; %d wake-ups later than %.0f ms"
          % (witness_ms, witness_stalls, RING_MS))


def main():
    witness_report = witness(SECONDS + 5, RING_MS)
    steal0 = steal_seconds()
    with Client(port=PORT, timeout=30) as c:
        start_loop_and_grains(c)
        swaps, timeline, warm, end, latencies = soak(c)
    report(swaps, timeline, warm, end, latencies, steal_seconds() - steal0, *witness_report())
    missed = []
    if swaps.done != swaps.sent:
        missed.append("%d of %d swaps not answered /done" % (swaps.sent - swaps.done, swaps.sent))
    if end["voices_shed"]:
        missed.append("%d voices shed" % end["voices_shed"])
    if end["xruns"] > warm["xruns"]:
        missed.append("%d xruns after the first minute" % (end["xruns"] - warm["xruns"]))
    if end["rss_kb"] - warm["rss_kb"] >= 1024:
        missed.append("resident memory grew by %d kB" % (end["rss_kb"] - warm["rss_kb"]))
    if missed:
        print("FAIL: " + "; ".join(missed))
        return 1
    print("  ok: every swap answered, nothing shed, no xrun after the first minute, memory growth below 1 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
