#!/bin/sh
# A model too heavy for the machine (decode ~4x a latent frame) never
# bricks the daemon: voices are shed, /status answers, a swap to a light
# model is taken and plays in real time, /quit works (overload_checks.py).
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "allowed_dirs": ["models", "terrains", "$BUILD/models"] }
CONF
start_daemon_on_jack --config "$TMP/test.json" --model "$BUILD/models/slow.ts"
# The render thread starts at real-time priority (root, or an rtprio
# limit): the checks see it give that up while behind, and take it back.
if grep -q "has no real-time priority" "$TMP/daemon.err"; then
	fail "the render thread has no real-time priority to give up (run the tests as root or with an rtprio limit)"
fi

$PY tests/e2e/overload_checks.py "$PORT" || fail "overload checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
for _ in $(seq $((50 * SLOW))); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DAEMON" 2>/dev/null && fail "the daemon did not stop after /quit"
wait $DAEMON || fail "the daemon exited $? after /quit: $(tail -5 "$TMP/daemon.err")"
if grep -qE "Sanitizer|runtime error:" "$TMP/daemon.err"; then fail "sanitizer report: $(grep -E -A30 "Sanitizer|runtime error:" "$TMP/daemon.err" | head -60)"; fi
stop_jack
echo "ok"
