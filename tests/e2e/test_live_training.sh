#!/bin/sh
# Training a terrain over OSC while the daemon plays (like nn.terrain~'s
# train and checkpoint messages).
. tests/e2e/lib.sh
. tests/e2e/jack.sh
start_jack 48000 128
PORT=$(free_port)
mkdir -p "$TMP/mine"
echo "{ \"audio\": { \"ring_ms\": 15 }, \"allowed_dirs\": [\"models\", \"terrains\", \"$TMP/mine\"] }" >"$TMP/conf.json"
"$TERRAIND" --config "$TMP/conf.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
$PY tests/e2e/live_training_checks.py "$PORT" "$TMP/mine/live.json" "$TERRAIND" ||
	fail "live training failed: $(tail -5 "$TMP/daemon.err")"
expect_status 0 "$TERRAIND" info "$TMP/mine/live.json"
expect_in "$TMP/out" "name:           live"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly"
echo "ok"
