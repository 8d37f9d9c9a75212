#!/bin/sh
# The live daemon against a real JACK server (dummy driver): real OSC in,
# real audio out, recorded and checked; then a clean SIGTERM.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

echo "without an audio device the daemon says what to do"
expect_status 1 "$TERRAIND" --port "$(free_port)"
expect_in "$TMP/err" "start JACK"

start_jack 48000 128
PORT=$(free_port)
TCP_PORT=$(free_port)
# ring_ms 15 (auto is 10): CI machines are virtual, and a real-time thread
# there is now and then woken 5-8 ms late (docs/performance.md); the tests
# must not depend on the hypervisor's luck.
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "osc": { "tcp_port": $TCP_PORT },
  "allowed_dirs": ["models", "terrains", "$BUILD/models"],
  "mappings": [ { "address": "/1/xy1", "to": "xy", "range": [0, 1] },
                { "address": "/accxyz", "to": "xy", "swap": true, "range": [-1, 1] } ] }
CONF
"$TERRAIND" --config "$TMP/test.json" --port "$PORT" --record "$TMP/rec.wav" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT

$PY tests/e2e/daemon_checks.py "$PORT" "$BUILD/models" || fail "daemon checks failed; daemon log: $(tail -60 "$TMP/daemon.err")"

echo "SIGHUP reloads the mappings without stopping the sound; TCP works too; the sound follows the cursor"
FRAMES=$($PY scripts/terraind_client.py --port "$PORT" status | awk '$1 == "frames" {print $2}')
sed -i 's|"mappings": \[|"mappings": [ { "address": "/hup/xy", "to": "xy" },|' "$TMP/test.json"
kill -HUP $DAEMON
$PY tests/e2e/daemon_reload_checks.py "$PORT" "$TCP_PORT" "$FRAMES" || fail "reload checks failed: $(tail -5 "$TMP/daemon.err")"
expect_in "$TMP/daemon.err" "SIGHUP: reloaded"

echo "SIGTERM fades out and exits 0 within a second"
start=$(date +%s%N)
kill -TERM $DAEMON
wait $DAEMON
status=$?
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$status" -eq 0 ] || fail "the daemon exited $status after SIGTERM: $(tail -5 "$TMP/daemon.err")"
[ "$elapsed" -lt $((1000 * SLOW)) ] || fail "the daemon took $elapsed ms to stop"
echo "  ok: exit 0 in $elapsed ms"
expect_in "$TMP/daemon.out" "effective configuration"
expect_in "$TMP/daemon.err" "libtorch runs on"
if grep -qE "Sanitizer|runtime error:" "$TMP/daemon.err"; then fail "sanitizer report: $(grep -E -A30 "Sanitizer|runtime error:" "$TMP/daemon.err" | head -60)"; fi

[ -s "$TMP/rec.wav" ] || fail "no recording was written"
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	$PY tests/e2e/recording_checks.py "$TMP/rec.wav" || fail "the recording does not follow the cursor"
else
	skip_part recording "a sanitizer build underruns, which leaves gaps in the recording: it is not checked to follow the cursor"
fi
stop_jack
echo "ok"
