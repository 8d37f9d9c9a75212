#!/bin/sh
# The gesture looper, stored points and sessions on a real JACK server, one
# daemon for every check (tests/e2e/looper_checks.py): a recorded circle
# comes back with its period, offset_x moves it, undo/redo swap takes, a
# saved loop loads back equal, quantized recording starts on the beat,
# points recall, a session saves and loads back, bad messages get /fail.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
mkdir -p "$TMP/files"
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "engine": { "voices": 8, "shed_voices": $SHED_VOICES },
  "allowed_dirs": ["models", "terrains", "$TMP/files"] }
CONF
start_daemon_on_jack --config "$TMP/test.json"

$PY tests/e2e/looper_checks.py "$PORT" "$TMP/files" || fail "looper checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
stop_jack
echo "ok"
