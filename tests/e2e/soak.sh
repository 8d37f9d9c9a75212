#!/bin/sh
# `make soak`: the long robustness runs, outside `make test`: a flood of
# FLOOD_SECONDS (default 60; 0 skips it) and SOAK_SECONDS (default 1800) of
# playback with a reload every SOAK_RELOAD seconds (default 20; 0 never),
# the daemon rendering ahead by SOAK_RING_MS (default 15).
. tests/e2e/lib.sh
. tests/e2e/jack.sh
if [ "${FLOOD_SECONDS:=60}" -gt 0 ]; then
	FLOOD_SECONDS=$FLOOD_SECONDS sh tests/e2e/test_flood.sh || exit 1
fi
start_jack 48000 128
PORT=$(free_port)
SOAK_RING_MS=${SOAK_RING_MS:-15} # as in test_daemon.sh: VM wake-up hiccups
export SOAK_RING_MS
echo "{ \"audio\": { \"ring_ms\": $SOAK_RING_MS } }" >"$TMP/soak.json"
"$TERRAIND" --config "$TMP/soak.json" --port "$PORT" --log-level warn >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
$PY tests/e2e/soak.py "$PORT" "$DAEMON" "${SOAK_SECONDS:-1800}" || fail "soak failed: $(grep -v underrun "$TMP/daemon.err" | tail -5)"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly after the soak"
echo "ok"
