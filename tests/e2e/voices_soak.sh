#!/bin/sh
# Not part of make test: N voices moving on a model, live on the JACK dummy
# server, for SECONDS; prints the xruns, voices shed and the worst render
# time. The voices come in one every 0.25 s first (as fingers land, not all
# in one frame), and the xruns of that start are counted apart. Usage: sh tests/e2e/voices_soak.sh [VOICES [SECONDS [MODEL]]]
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
import math, sys, time
sys.path.insert(0, "scripts")
from terraind_client import Client
port, voices, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def move(c, sounding, seconds):
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        t = time.monotonic() - t0
        for v in range(sounding):
            c.send("/voice/%d/xy" % v, math.sin(0.5 * t + v), math.cos(0.37 * t + 2 * v))
        time.sleep(0.02)  # 50 moves a second per voice (pacing)


with Client(port=port) as c:
    before = c.status()
    for sounding in range(1, voices + 1):
        move(c, sounding, 0.25)
    move(c, voices, 1.0)
    c.drain()
    start = c.status()
    move(c, voices, seconds)
    c.drain()
    s = c.status()
    print("%d voices, %.0f s: xruns %d, voices shed %d, sounding %d, frames %d; "
          "slowest frame %.1f ms (start included); while the voices came in: xruns %d"
          % (voices, seconds, s["xruns"] - start["xruns"], s["voices_shed"], s["voices_active"],
             s["frames"] - start["frames"], s["render_max_ms"], start["xruns"] - before["xruns"]))
P
