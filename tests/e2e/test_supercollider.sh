#!/bin/sh
# SuperCollider's language (sclang, headless) drives the daemon with a
# pattern and a gesture, and reads /done, /fail and /status.reply.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
if ! command -v sclang >/dev/null 2>&1; then
	echo "skipped: sclang is not installed (apt-get install supercollider-language, or make deps)"
	exit 77
fi
start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
# Headless: no display, and QtWebEngine (linked into sclang) refuses to run
# as root inside its sandbox.
QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 XDG_RUNTIME_DIR="$TMP" \
	timeout 120 sclang tests/e2e/supercollider_check.scd "$PORT" >"$TMP/sclang.out" 2>&1
grep -q "SUPERCOLLIDER OK" "$TMP/sclang.out" || fail "sclang check failed: $(grep -E 'sclang:|SUPERCOLLIDER|ERROR' "$TMP/sclang.out" | tail -5)"
grep "sclang:" "$TMP/sclang.out" | cut -c1-200
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly"
echo "ok"
