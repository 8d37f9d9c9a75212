#!/bin/sh
# The Python client (scripts/terraind_client.py, python3-liblo) against the
# real daemon: every subcommand, gesture recording through its proxy and
# playback, /notify updates, and /quit.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
CLIENT="$PY scripts/terraind_client.py"

start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
expect_status 0 $CLIENT --port "$PORT" status
expect_in "$TMP/out" "model              demo"
echo "  ok: status"

expect_status 0 $CLIENT --port "$PORT" xy 0.2 0.7
expect_status 0 $CLIENT --port "$PORT" gain 0.8
expect_status 0 $CLIENT --port "$PORT" load-terrain demo.json
expect_status 1 $CLIENT --port "$PORT" send /xy 1
expect_in "$TMP/err" "/xy: expects 2 numbers"
expect_status 1 $CLIENT --port "$PORT" load-model /etc/passwd
expect_in "$TMP/err" "outside the allowed directories"
echo "  ok: requests answered, refusals explained, exit status 1 on /fail"

expect_status 0 $CLIENT --port "$PORT" play-gesture terrains/demo-gesture.json
echo "  ok: play-gesture"

LISTEN=$(free_port)
$CLIENT --port "$PORT" record-gesture "$TMP/take.json" --listen "$LISTEN" --seconds 2 >"$TMP/rec.out" 2>&1 &
REC=$!
wait_for_udp_listener "$LISTEN"
# A performer's pace: 0.1 s between moves, so that their times differ.
for v in 0.1 0.2 0.3 0.4 0.5; do oscsend localhost "$LISTEN" /xy ff "$v" "-$v"; sleep 0.1; done
wait $REC || fail "record-gesture failed: $(cat "$TMP/rec.out")"
expect_in "$TMP/rec.out" "recorded 5 points"
$PY -c "
import json, sys
g = json.load(open('$TMP/take.json'))
assert g['format'] == 'terraind-gesture' and len(g['points']) == 5, g
assert g['points'][0][0] == 0 and g['points'][-1][1:] == [0.5, -0.5], g['points']
assert all(a[0] < b[0] for a, b in zip(g['points'], g['points'][1:])), 'times must ascend'
" || fail "the recorded gesture is wrong"
expect_status 0 "$TERRAIND" render --gesture "$TMP/take.json" -o "$TMP/take.wav"
expect_status 0 $CLIENT --port "$PORT" play-gesture "$TMP/take.json"
echo "  ok: record-gesture through the proxy, then render and play it back"

expect_status 0 $CLIENT --port "$PORT" watch --rate 20 --seconds 1.5
expect_in "$TMP/out" "/cursor"
expect_in "$TMP/out" "/latent"
expect_in "$TMP/out" "/status.reply"
[ "$(grep -c '^/cursor' "$TMP/out")" -le 40 ] || fail "more /cursor updates than the 20 a second asked for"
echo "  ok: /notify pushes cursor, latents and status at the asked rate"

expect_status 0 $CLIENT --port "$PORT" quit
wait $DAEMON || fail "the daemon did not exit 0 after /quit"
echo "ok"
