#!/bin/sh
# Not part of make test: N voices moving on a model, live on the JACK dummy
# server (48 kHz, period 128), for SECONDS; prints the xruns, voices shed,
# the worst render time and the control-to-sound latency (median and p95 of
# the engine's probe, read ten times a second). The voices come in one
# every 0.25 s first (as fingers land, not all in one frame), and the xruns
# of that start are counted apart. A model at another rate is resampled. Usage: sh tests/e2e/voices_soak.sh [VOICES [SECONDS [MODEL]]]
# (defaults 8, 60, build/models/rave_bench.ts with a terrain trained on it).
. tests/e2e/lib.sh
. tests/e2e/jack.sh
VOICES=${1:-8}
SECONDS_RUN=${2:-60}
MODEL=${3:-$BUILD/models/rave_bench.ts}
start_jack 48000 128
terrain_for_model "$MODEL" "$TMP/terrain.json" '[[0, -0.8, -0.8], [4, 0.8, 0.8]]'
PORT=$(free_port)
"$TERRAIND" --port "$PORT" --model "$MODEL" --terrain "$TMP/terrain.json" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
$PY - "$PORT" "$VOICES" "$SECONDS_RUN" <<'P'
import math, statistics, sys, time
sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client
from soak_probes import percentile
port, voices, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def move(c, sounding, seconds, latencies=None):
    """Moves the sounding voices for `seconds`; with a list, adds each new
    reading of the latency probe to it."""
    t0 = last_read = time.monotonic()
    last = None
    while time.monotonic() - t0 < seconds:
        t = time.monotonic() - t0
        for v in range(sounding):
            c.send("/voice/%d/xy" % v, math.sin(0.5 * t + v), math.cos(0.37 * t + 2 * v))
        if latencies is not None and time.monotonic() - last_read >= 0.1:
            last_read = time.monotonic()
            latency = c.status()["latency_ms"]
            if latency >= 0 and latency != last:
                latencies.append(latency)
            last = latency
        time.sleep(0.02)  # 50 moves a second per voice (pacing)


with Client(port=port) as c:
    before = c.status()
    for sounding in range(1, voices + 1):
        move(c, sounding, 0.25)
    move(c, voices, 1.0)
    c.drain()
    start = c.status()
    latencies = []
    move(c, voices, seconds, latencies)
    c.drain()
    s = c.status()
    print("%d voices, %.0f s: xruns %d, voices shed %d, sounding %d, frames %d; "
          "slowest frame %.1f ms (start included); while the voices came in: xruns %d"
          % (voices, seconds, s["xruns"] - start["xruns"], s["voices_shed"], s["voices_active"],
             s["frames"] - start["frames"], s["render_max_ms"], start["xruns"] - before["xruns"]))
    print("control-to-sound latency: median %.1f ms, p95 %.1f ms (%d readings); sub-frame %s, "
          "re-decodes %d (%d over queued audio), refused %d, too late in the frame %d; render threads %d"
          % (statistics.median(latencies) if latencies else -1, percentile(latencies, 0.95), len(latencies),
             s["subframe"], s["redecodes"] - start["redecodes"], s["queued_replaced"] - start["queued_replaced"],
             s["redecodes_refused"] - start["redecodes_refused"], s["redecodes_late"] - start["redecodes_late"],
             s["render_threads"]))
    if s["redecodes_refused"] > start["redecodes_refused"]:
        print("the last refusal: " + s["redecodes_refused_why"])
P
