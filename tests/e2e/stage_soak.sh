#!/bin/sh
# `make soak-stage`: a performer's whole load on one model for SOAK_SECONDS
# (default 1800), live on a JACK dummy server at 48 kHz, period 128: five
# voices moving, a loop, a grain scanner and a terrain swap every 15 s
# (tests/e2e/stage_soak.py says what is measured and the targets). Not part
# of make test: it takes half an hour and the whole machine.
#   MODEL=path/to/export.ts make soak-stage   (default: build/models/rave_bench.ts,
#   the stand-in with a RAVE v2 decoder's cost; docs/robustness.md)
# SOAK_RING_MS sets audio.ring_ms (default: the automatic target);
# STAGE_VOICES and GRAIN_DENSITY lighten the load for a heavy model.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
MODEL=${MODEL:-$BUILD/models/rave_bench.ts}
[ -f "$MODEL" ] || fail "no model $MODEL (make test-models writes build/models/rave_bench.ts)"
echo "terrains for $MODEL: the demo's sound encoded by it along two walks"
mkdir -p "$TMP/terrains"
terrain_for_model "$MODEL" "$TMP/terrains/a.json" '[[0, -0.8, -0.8], [4, 0.8, 0.8]]'
terrain_for_model "$MODEL" "$TMP/terrains/b.json" '[[0, 0.8, -0.8], [4, -0.8, 0.8]]'
start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/stage.json" <<CONF
{ "model": "$MODEL", "terrain": "$TMP/terrains/a.json", "allowed_dirs": ["$TMP/terrains"],
  "osc": { "reply_controls": false }, "audio": { "ring_ms": ${SOAK_RING_MS:-0} }, "log_level": "warn" }
CONF
"$TERRAIND" --config "$TMP/stage.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
$PY tests/e2e/stage_soak.py "$PORT" "$DAEMON" "${SOAK_SECONDS:-1800}" "$TMP/terrains/a.json" "$TMP/terrains/b.json" ||
	fail "the stage soak missed its targets; the daemon's last warnings: $(tail -5 "$TMP/daemon.err")"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly after the soak"
echo "ok"
