#!/bin/sh
# The ready TouchOSC layout (config/terraind.touchosc) against the daemon
# started with its mapping profile (config/touchosc-portrait.json), with
# the messages TouchOSC sends.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" --config config/touchosc-portrait.json --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
$PY tests/e2e/touchosc_checks.py "$PORT" || fail "TouchOSC checks failed: $(tail -5 "$TMP/daemon.err")"
expect_in "$TMP/daemon.out" "0.0.0.0"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly"
echo "ok"
