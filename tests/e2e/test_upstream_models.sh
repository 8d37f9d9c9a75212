#!/bin/sh
# Models written by the upstream export code (scripts/make_upstream_models.py):
# Music2Latent-scripted, mono and 2-channel out, and the streamable Stable
# Audio Open autoencoder. Each: info states its layout and a verdict, a
# render through a matching terrain (the nn_terrain preset made for it) is
# finite and sounding, and it plays live on JACK (frames rendered, 0 decode
# errors, rate source, frames per call and latency in /status). A VAE
# encoder encodes a corpus the same way twice with --seed.
. tests/e2e/lib.sh
skip_under_sanitizer "the upstream-sized models spend minutes in uninstrumented libtorch there; test_model loads and decodes the same files, and test_voices and test_daemon play the engine live, in every build"
UP="$BUILD/models/upstream"
for m in m2l_mono m2l_stereo sao_stream; do
	[ -f "$UP/$m.ts" ] || fail "$UP/$m.ts is missing: run make test-models"
done

echo "info states each layout and a verdict"
expect_status 0 "$TERRAIND" info "$UP/m2l_mono.ts"
expect_in "$TMP/out" "layout:         decode 64 latents -> 1 audio channel (mono); encode 1 audio channel (mono) -> 64 latents"
expect_in "$TMP/out" "frames per call: 2 (a non-causal decoder"
expect_in "$TMP/out" "at most 120 per call"
expect_in "$TMP/out" "warm-up:"
expect_in "$TMP/out" "verdict:        playable, with a warning: the model does not state its sample rate"
expect_status 0 "$TERRAIND" info --model-rate 44100 "$UP/m2l_stereo.ts"
expect_in "$TMP/out" "layout:         decode 64 latents -> 2 audio channels (stereo); encode 1 audio channel (mono) -> 64 latents"
expect_in "$TMP/out" "verdict:        playable (stereo, 44100 Hz from engine.model_rate / --model-rate, 2 frames per call)"
expect_status 0 "$TERRAIND" info "$UP/sao_stream.ts"
expect_in "$TMP/out" "layout:         decode 64 latents -> 2 audio channels (stereo); encode 2 audio channels (stereo) -> 64 latents"
expect_in "$TMP/out" "verdict:        playable (stereo, 44100 Hz from the model's 'sample_rate', 1 frame per call)"

echo "each renders a gesture through the preset made for it: finite, sounding, its channel count"
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/m2l-demo.pt -o "$TMP/m2l.json"
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/stable-audio-terrain-demo.pt --bounds -8,8,-8,8 \
	-o "$TMP/sao.json"
echo '[[0, -12, -3], [1.5, 12, 3]]' >"$TMP/m2l-walk.json"
echo '[[0, -6, -6], [1.5, 6, 6]]' >"$TMP/sao-walk.json"
render_and_check() { # model terrain gesture channels
	expect_status 0 "$TERRAIND" render --model "$UP/$1.ts" --terrain "$TMP/$2.json" --gesture "$TMP/$3.json" \
		--tail 0 --float -o "$TMP/$1.wav"
	$PY tests/e2e/sounding_wav.py "$TMP/$1.wav" "$4" 1 || fail "$1: the render is not $4 finite, sounding channel(s)"
}
render_and_check m2l_mono m2l m2l-walk 1
render_and_check m2l_stereo m2l m2l-walk 2
render_and_check sao_stream sao sao-walk 2
expect_in "$TMP/err" "1 per decode call"

echo "a VAE encoder (Stable Audio Open) encodes a corpus the same way with the same --seed"
for run in a:1 b:1 c:2; do
	expect_status 0 "$TERRAIND" encode --model "$UP/sao_stream.ts" --seed "${run#*:}" "$TMP/sao_stream.wav" \
		-o "$TMP/ds-${run%:*}.json"
done
cmp -s "$TMP/ds-a.json" "$TMP/ds-b.json" || fail "two encodes with --seed 1 differ"
cmp -s "$TMP/ds-a.json" "$TMP/ds-c.json" && fail "--seed 2 encoded exactly as --seed 1: the encoder did not sample"
echo "  ok: --seed 1 twice: identical; --seed 2: different"

echo "each plays live on JACK"
. tests/e2e/jack.sh
start_jack 48000 128
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
play_live() { # model terrain frames_per_call rate rate_source x y [serve options...]
	model=$1 terrain=$2 fpc=$3 rate=$4 source=$5 x=$6 y=$7
	shift 7
	PORT=$(free_port)
	"$TERRAIND" serve --port "$PORT" --model "$UP/$model.ts" --terrain "$TMP/$terrain.json" \
		--record "$TMP/live-$model.wav" "$@" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
	DAEMON=$!
	$PY tests/e2e/upstream_live_checks.py "$PORT" "$fpc" "$rate" "$source" "$x" "$y" ||
		fail "$model live: $(tail -20 "$TMP/daemon.err")"
	kill -TERM $DAEMON
	wait $DAEMON || fail "$model: the daemon exited $? after SIGTERM: $(tail -5 "$TMP/daemon.err")"
	$PY tests/e2e/sounding_wav.py "$TMP/live-$model.wav" 2 0.5 || fail "$model: the live recording is silent"
}
play_live m2l_mono m2l 2 48000 "not stated: the device's rate" 12 3
expect_in "$TMP/daemon.err" "m2l_mono: the model does not state its sample rate"
expect_in "$TMP/daemon.err" "playing it at the device's rate, 48000 Hz"
play_live m2l_stereo m2l 4 44100 "--model-rate" 12 3 --model-rate 44100 --frames-per-call 4
# a model's entry in `models` wins over engine.frames_per_call
echo '{ "engine": { "frames_per_call": 3 }, "models": { "sao_stream": { "frames_per_call": 2 } } }' >"$TMP/models.json"
play_live sao_stream sao 2 44100 "the model's 'sample_rate'" 6 6 --config "$TMP/models.json"
stop_jack
echo "ok"
