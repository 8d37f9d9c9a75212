#!/bin/sh
# `make soak`: the long robustness runs, outside `make test`: a 60 s flood
# and SOAK_SECONDS (default 1800) of playback with periodic reloads.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
FLOOD_SECONDS=60 sh tests/e2e/test_flood.sh || exit 1
start_jack 48000 128
PORT=$(free_port)
echo '{ "audio": { "ring_ms": 15 } }' >"$TMP/soak.json" # as in test_daemon.sh: VM wake-up hiccups
"$TERRAIND" --config "$TMP/soak.json" --port "$PORT" --log-level warn >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
sleep 2
$PY tests/e2e/soak.py "$PORT" "$DAEMON" "${SOAK_SECONDS:-1800}" || fail "soak failed: $(tail -5 "$TMP/daemon.err")"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly after the soak"
echo "ok"
