#!/bin/sh
# The JACK server stops under the daemon and comes back: the daemon says
# so, keeps answering OSC, and plays again once the server is back. The
# restart (a re-exec) keeps the recording made before it and numbers the
# next one (take.wav, then take.1.wav). Its MIDI input (a JACK client too,
# --midi) goes and comes back with it.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

audio_state() {
	$PY scripts/terraind_client.py --port "$PORT" status 2>/dev/null | awk '$1 == "audio" {print $2}'
}

wait_audio() { # state seconds
	for _ in $(seq $(($2 * 5))); do
		[ "$(audio_state)" = "$1" ] && return 0
		sleep 0.2
	done
	fail "audio is '$(audio_state)', expected '$1' after $2 s; daemon log: $(tail -5 "$TMP/daemon.err")"
}

start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT" --record "$TMP/take.wav" --midi '*' \
	>"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_audio running 10
echo "  ok: playing"

stop_jack
wait_audio stopped 5
expect_in_soon "$TMP/daemon.err" "the audio stream stopped"
expect_in_soon "$TMP/daemon.err" "MIDI input stopped: the JACK server went away"
kill -0 $DAEMON || fail "the daemon died with the JACK server"
echo "  ok: the daemon noticed, said so, and still answers OSC"

start_jack 48000 128
wait_audio running 10
expect_in_soon "$TMP/daemon.err" "restarting terraind to reconnect"
for _ in $(seq $((50 * SLOW))); do
	[ "$(grep -c "MIDI on jack" "$TMP/daemon.err")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c "MIDI on jack" "$TMP/daemon.err")" -ge 2 ] || fail "MIDI did not come back with the server: $(grep MIDI "$TMP/daemon.err")"
echo "  ok: it plays again once the server is back, MIDI too"

stop_jack
wait_audio stopped 5
kill -TERM $DAEMON
for _ in $(seq $((20 * SLOW))); do kill -0 $DAEMON 2>/dev/null || break; sleep 0.1; done
kill -0 $DAEMON 2>/dev/null && fail "the daemon hangs on SIGTERM after losing its JACK server"
wait $DAEMON || fail "the daemon exited $? (not 0) on SIGTERM after losing its JACK server: $(grep -v underrun "$TMP/daemon.err" | tail -40)"
echo "  ok: SIGTERM while the server is gone exits 0 at once"
for take in take take.1; do
	$PY tests/e2e/sounding_wav.py "$TMP/$take.wav" 2 0.1 || fail "$take.wav is not a sounding stereo recording"
done
[ ! -e "$TMP/take.2.wav" ] || fail "a third recording was started"
expect_in "$TMP/daemon.err" "restarted to reconnect the audio (1); recording to $TMP/take.1.wav"
echo "  ok: the recording before the restart is kept (take.wav), the one after is take.1.wav"
echo "ok"
