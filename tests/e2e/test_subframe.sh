#!/bin/sh
# Sub-frame control on a real JACK server: with long_tone.ts (85 ms frames,
# 440 Hz at x = 0, 220 Hz at x = -1) a cursor jump is heard before the next
# frame boundary: /status reports sub-frame control on, re-decodes and a
# control-to-sound latency well under half a frame, and in the recording
# the pitch changes inside frames, not at their boundaries (at frame rate
# every change would fall on a multiple of 4096 samples). Then the same at
# 44.1 kHz on the 48 kHz server: the re-decoded frame goes through the
# resampler from the state the old one began in, so the rate never turns
# sub-frame control off.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "engine": { "smooth_ms": 0, "subframe": true } }
CONF
start_daemon_on_jack serve --config "$TMP/test.json" --model "$BUILD/models/long_tone.ts" \
	--terrain tests/fixtures/long_tone_terrain.json --record "$TMP/rec.wav"

$PY tests/e2e/subframe_checks.py "$PORT" "$TMP/rec.wav" || fail "sub-frame checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	$PY tests/e2e/subframe_checks.py --recording "$TMP/rec.wav" || fail "the recording does not change pitch within frames"
else
	skip_part recording "a sanitizer build underruns all the time, so the engine keeps to frame rate: pitch changes within frames are not checked"
fi

echo "a 44.1 kHz model on the 48 kHz server: resampled, and sub-frame control stays on"
PORT=$(free_port)
$PY -c 'import json, sys
t = json.load(open("tests/fixtures/long_tone_terrain.json"))
t["model"] = dict(t["model"], id="long_tone_44k", sample_rate=44100)
json.dump(t, open(sys.argv[1], "w"))' "$TMP/long_tone_44k.json" || fail "cannot write the 44.1 kHz terrain"
start_daemon_on_jack serve --config "$TMP/test.json" --model "$BUILD/models/long_tone_44k.ts" \
	--terrain "$TMP/long_tone_44k.json" --record "$TMP/rec44.wav"
expect_in "$TMP/daemon.err" "system cannot run at 44100 Hz: opening it at 48000 Hz and resampling"
$PY tests/e2e/subframe_checks.py "$PORT" "$TMP/rec44.wav" 44100 ||
	fail "sub-frame checks through the resampler failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	$PY tests/e2e/subframe_checks.py --recording "$TMP/rec44.wav" 44100 ||
		fail "the resampled recording does not change pitch within frames"
else
	skip_part recording-44k "a sanitizer build underruns all the time, so the engine keeps to frame rate: pitch changes within frames are not checked"
fi
stop_jack
echo "ok"
