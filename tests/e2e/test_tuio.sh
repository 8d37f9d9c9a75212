#!/bin/sh
# TUIO 1.1 on a real JACK server: a tracker's frames sent over UDP to the
# TUIO port (--tuio-port) sound one voice per touch, at the touch's place
# (/notify's /voice/N/cursor), and an alive list that drops sessions
# releases their voices (/status voices_active).
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
TUIO_PORT=$(free_port)
while [ "$TUIO_PORT" = "$PORT" ]; do TUIO_PORT=$(free_port); done
cat >"$TMP/test.json" <<CONF
{ "engine": { "voices": 8, "release_ms": 50 } }
CONF
start_daemon_on_jack --config "$TMP/test.json" --tuio-port "$TUIO_PORT"
expect_in "$TMP/daemon.err" "TUIO cursors on udp 127.0.0.1:$TUIO_PORT"

$PY tests/e2e/tuio_checks.py "$PORT" "$TUIO_PORT" || fail "TUIO checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
stop_jack
echo "ok"
