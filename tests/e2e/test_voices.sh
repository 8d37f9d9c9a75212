#!/bin/sh
# Voices on a real JACK server: two voices at two places of the demo
# terrain give both pitches in the recording, /voice/1/off fades one out,
# bad voice addresses are refused with a reason, and a model reloaded while
# it plays crossfades (no step larger than steady playback's). Two render
# threads (engine.render_workers 2): voice 1 decodes on the model's second
# instance, on the render worker, and is heard at its own pitch.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "engine": { "voices": 8, "release_ms": 50, "shed_voices": $SHED_VOICES, "render_workers": 2 } }
CONF
start_daemon_on_jack --config "$TMP/test.json" --record "$TMP/rec.wav"

$PY tests/e2e/voices_checks.py "$PORT" "$TMP/marks.json" || fail "voice checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	$PY tests/e2e/voices_recording.py "$TMP/rec.wav" "$TMP/marks.json" || fail "the recording does not hold the voices"
else
	skip_part recording "a sanitizer build underruns, which leaves gaps in the recording: its two pitches are not checked"
fi
stop_jack
echo "ok"
