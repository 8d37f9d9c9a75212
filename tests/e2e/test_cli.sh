#!/bin/sh
# The offline command line: info, import, eval, render, and their errors.
. tests/e2e/lib.sh

echo "info describes the demo model and the BLAS it runs on"
expect_status 0 "$TERRAIND" info models/demo.ts
expect_in "$TMP/out" "latent size:    4"
expect_in "$TMP/out" "ratio:          512"
expect_in "$TMP/out" "openblas"

echo "info on an nn~ file without decode gives a verdict: why it cannot be played, and what to do"
expect_status 0 "$TERRAIND" info tests/fixtures/nn_tilde/effects.ts
expect_in "$TMP/out" "verdict:        not playable: the model has no 'decode' method"
expect_in "$TMP/out" "What to do: export the autoencoder with nn~'s Module"
expect_in "$TMP/out" "midside"
expect_status 0 "$TERRAIND" info models/demo.ts
expect_in "$TMP/out" "verdict:        playable (mono, 48000 Hz from the model's 'sr', 1 frame per call)"

echo "import gives a preset nn.terrain.gui's range unless told, per axis when told"
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/m2l-demo.pt -o "$TMP/m2l.json"
expect_status 0 "$TERRAIND" info "$TMP/m2l.json"
expect_in "$TMP/out" "bounds:         [-16, 16] [-4, 4]"
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/stable-audio-terrain-demo.pt -o "$TMP/sao.json" \
	--bounds -8,8,-6,6
expect_status 0 "$TERRAIND" info "$TMP/sao.json"
expect_in "$TMP/out" "bounds:         [-8, 8] [-6, 6]"
expect_status 2 "$TERRAIND" import tests/fixtures/nn_terrain/m2l-demo.pt -o "$TMP/bad.json" --bounds -8,8,-6
expect_in "$TMP/err" "3 numbers for a terrain of 2 control dimensions"

echo "import writes a terrain that evaluates like the checkpoint"
expect_status 0 "$TERRAIND" import tests/fixtures/nn_terrain/percussion-terrain-demo.pt -o "$TMP/perc.json" --bounds -2,2
expect_status 0 "$TERRAIND" info "$TMP/perc.json"
expect_in "$TMP/out" "[-2, 2]"
printf '0 0\n0.25 -0.5\n\n# comment\n1 1\n' >"$TMP/coords"
"$TERRAIND" eval "$TMP/perc.json" <"$TMP/coords" >"$TMP/from-json" || fail "eval of the json failed"
"$TERRAIND" eval tests/fixtures/nn_terrain/percussion-terrain-demo.pt <"$TMP/coords" >"$TMP/from-pt" || fail "eval of the .pt failed"
[ "$(wc -l <"$TMP/from-json")" -eq 3 ] || fail "expected 3 output lines"
[ "$(awk '{print NF}' "$TMP/from-json" | sort -u)" = "4" ] || fail "expected 4 latents per line"
cmp -s "$TMP/from-json" "$TMP/from-pt" || fail "json and .pt evaluate differently"

echo "eval names the bad line"
printf '0 0\n0.5\n' | "$TERRAIND" eval terrains/demo.json >"$TMP/out" 2>"$TMP/err" && fail "a bad line was accepted"
expect_in "$TMP/err" "stdin line 2: expected 2 numbers (the terrain's control dimensions), got 1"
printf '0 nan\n' | "$TERRAIND" eval terrains/demo.json >"$TMP/out" 2>"$TMP/err" && fail "nan was accepted"
expect_in "$TMP/err" "stdin line 1: 'nan' is not a finite number"

echo "render is deterministic and follows the gesture"
cat >"$TMP/g.json" <<'G'
[[0, 0, 0], [1, 0, 0], [1, 0.4, 1], [2, 0.4, 1]]
G
expect_status 0 "$TERRAIND" render --gesture "$TMP/g.json" -o "$TMP/a.wav"
expect_status 0 "$TERRAIND" render --gesture "$TMP/g.json" -o "$TMP/b.wav"
cmp -s "$TMP/a.wav" "$TMP/b.wav" || fail "two renders of the same gesture differ"
$PY - "$TMP/a.wav" <<'P' || fail "the rendered pitch does not follow the gesture"
import sys, wave, numpy as np
w = wave.open(sys.argv[1]); sr = w.getframerate()
x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16) / 32768.0
def f0(seg):
    seg = seg - seg.mean()
    ac = np.correlate(seg, seg, "full")[len(seg) - 1:]
    lo, hi = sr // 1000, sr // 50
    return sr / (lo + np.argmax(ac[lo:hi]))
a, b = f0(x[int(0.6 * sr):int(0.6 * sr) + 4096]), f0(x[int(1.6 * sr):int(1.6 * sr) + 4096])
print("f0 at 0.6 s: %.1f Hz, at 1.6 s: %.1f Hz" % (a, b))
assert 95 < a < 125 and 290 < b < 380, (a, b)
P

echo "render errors are sentences"
expect_status 1 "$TERRAIND" render --gesture "$TMP/missing.json" -o "$TMP/c.wav"
expect_in "$TMP/err" "cannot open $TMP/missing.json"
echo '[[0, 0.1]]' >"$TMP/g1.json"
expect_status 1 "$TERRAIND" render --gesture "$TMP/g1.json" -o "$TMP/c.wav"
expect_in "$TMP/err" "1 coordinates per point but the terrain has 2"
expect_status 1 "$TERRAIND" render --gesture "$TMP/g.json" --model tests/fixtures/nn_tilde/features.ts -o "$TMP/c.wav"
expect_in "$TMP/err" "no 'decode' method"
[ ! -e "$TMP/c.wav" ] || fail "a failed render left an output file"
expect_status 2 "$TERRAIND" render -o "$TMP/c.wav"
expect_in "$TMP/err" "usage: terraind render"
expect_status 2 "$TERRAIND" frobnicate
expect_in "$TMP/err" "unknown command 'frobnicate'"
echo "ok"
