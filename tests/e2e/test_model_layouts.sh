#!/bin/sh
# Channel layouts are per method: a RAVE v1 `--stereo` export encodes mono
# and decodes stereo. `info` states both, a mono corpus encodes through it,
# a terrain trained on that corpus renders a stereo file with sound in both
# channels. A model whose frame cannot fit the live audio ring is refused
# live with the reason, and still renders offline.
. tests/e2e/lib.sh
MODEL="$BUILD/models/rave_v1_stereo.ts"

echo "info states both layouts"
expect_status 0 "$TERRAIND" info "$MODEL"
expect_in "$TMP/out" "audio channels: 2 (stereo)"
expect_in "$TMP/out" "encode:         yes, from 1 audio channel (mono)"

echo "a mono corpus encodes, trains and renders in stereo"
echo '[[0, -0.8, -0.8], [2, 0.8, 0.8]]' >"$TMP/walk.json"
expect_status 0 "$TERRAIND" render --gesture "$TMP/walk.json" --tail 0 -o "$TMP/mono.wav"
expect_status 0 "$TERRAIND" encode --model "$MODEL" "$TMP/mono.wav" -o "$TMP/ds.json"
expect_in "$TMP/err" "1 file(s)"
expect_status 0 "$TERRAIND" train "$TMP/ds.json" --epochs 20 -o "$TMP/t.json"
expect_status 0 "$TERRAIND" render --model "$MODEL" --terrain "$TMP/t.json" --gesture "$TMP/walk.json" \
	--tail 0 -o "$TMP/stereo.wav"
$PY - "$TMP/stereo.wav" <<'P' || fail "the stereo render is not two finite, sounding channels"
import sys, wave
import numpy as np
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2, w.getnchannels()
x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2) / 32768.0
rms = np.sqrt((x ** 2).mean(axis=0))
print("  %d frames, RMS per channel %s" % (len(x), np.round(rms, 4)))
assert len(x) > 48000 and (rms > 1e-4).all(), rms
P

echo "a frame longer than the live ring: refused live with the reason, rendered offline"
expect_status 0 "$TERRAIND" info "$BUILD/models/long_frame.ts"
cat >"$TMP/long.json" <<'J'
[[0, 0, 0], [3, 0.5, 0.5]]
J
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/percussion-terrain-demo.pt -o "$TMP/perc.json"
expect_status 0 "$TERRAIND" render --model "$BUILD/models/long_frame.ts" --terrain "$TMP/perc.json" \
	--gesture "$TMP/long.json" --tail 0 -o "$TMP/long.wav"
. tests/e2e/jack.sh
start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" serve --port "$PORT" --model "$BUILD/models/long_frame.ts" --terrain "$TMP/perc.json" \
	>"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
for _ in $(seq $((100 * SLOW))); do kill -0 "$DAEMON" 2>/dev/null || break; sleep 0.1; done
kill -0 "$DAEMON" 2>/dev/null && { kill "$DAEMON"; stop_jack; fail "the daemon started on a model it cannot play"; }
wait "$DAEMON"
rc=$?
stop_jack
[ "$rc" -ne 0 ] || fail "the daemon exited 0"
expect_in "$TMP/daemon.err" "longer than the live engine can buffer"
echo "ok"
