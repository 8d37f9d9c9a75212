#!/bin/sh
# Sub-frame control on a real JACK server: with long_tone.ts (85 ms frames,
# 440 Hz at x = 0, 220 Hz at x = -1) a cursor jump is heard before the next
# frame boundary: /status reports sub-frame control on, re-decodes and a
# control-to-sound latency well under half a frame, and in the recording
# the pitch changes inside frames, not at their boundaries (at frame rate
# every change would fall on a multiple of 4096 samples).
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
stop_jack
echo "ok"
