#!/bin/sh
# The command line: every subcommand's --help and usage errors, the man
# page kept in step with the dispatcher, numbers refused whole, and the
# offline commands (info, import, eval, render, plot) and their errors.
. tests/e2e/lib.sh
skip_under_tsan

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

echo "info shows which latent is pitch: a terrain's model.pitch, a model's pitch_params buffer (checked)"
expect_status 0 "$TERRAIND" info terrains/demo.json
expect_in "$TMP/out" "pitch:          latent 0 = 1 * log2(f / 220 Hz)"
cat >"$TMP/pitched.py" <<'P'
import sys, torch
class Pitched(torch.nn.Module):  # a silent decoder that says its latent 1 is pitch
    def __init__(self, params):
        super().__init__()
        self.register_buffer("sr", torch.tensor(48000))
        self.register_buffer("decode_params", torch.tensor([4, 512, 1, 1]))
        self.register_buffer("pitch_params", torch.tensor(params))
    @torch.jit.export
    def decode(self, z):
        return torch.zeros(z.shape[0], 1, z.shape[2] * 512)
torch.jit.script(Pitched([1.0, 110.0, 2.0])).save(sys.argv[1] + "/pitched.ts")
torch.jit.script(Pitched([4.0, 110.0, 2.0])).save(sys.argv[1] + "/badpitch.ts")
P
$PY "$TMP/pitched.py" "$TMP" || fail "cannot make the pitch test models (TorchScript needs its source in a file)"
expect_status 0 "$TERRAIND" info "$TMP/pitched.ts"
expect_in "$TMP/out" "pitch:          latent 1 = 2 * log2(f / 110 Hz) (pitch_params)"
expect_status 1 "$TERRAIND" info "$TMP/badpitch.ts"
expect_in "$TMP/err" "pitch_params must be [latent (0 to 3)"

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
echo "every subcommand in terraind --help is in the man page and answers --help and -h with its usage"
expect_status 0 "$TERRAIND" --help
subcommands=$(awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }' "$TMP/out")
[ "$(echo "$subcommands" | wc -w)" -ge 9 ] || fail "terraind --help lists too few subcommands: $subcommands"
# Every start of terraind costs libtorch's load (about 1.5 s of CPU, three
# times that under a sanitizer): sanitizer builds check the usage paths on
# two subcommands, whose parsing code is the same module for all
# (cli_args, unit-tested in every build); the normal build checks them all.
usage_checked=$subcommands
[ -n "${TERRAIND_SANITIZER:-}" ] && usage_checked=$(echo "$subcommands" | head -n 2)
for cmd in $subcommands; do
	grep -q "^\.B terraind $cmd\b" docs/terraind.1 || fail "the man page's synopsis lacks 'terraind $cmd'"
	grep -q "^\.B $cmd\$" docs/terraind.1 || fail "the man page's COMMANDS section lacks '$cmd'"
done
for cmd in $usage_checked; do
	for flag in --help -h; do
		expect_status 0 "$TERRAIND" "$cmd" "$flag"
		expect_in "$TMP/out" "usage: terraind"
		[ ! -s "$TMP/err" ] || fail "'$cmd $flag' wrote to stderr: $(cat "$TMP/err")"
	done
done

echo "bad usage prints the usage to stderr and exits 2"
for cmd in $usage_checked; do
	expect_status 2 "$TERRAIND" "$cmd" --no-such-option
	expect_in "$TMP/err" "usage: terraind"
	[ ! -s "$TMP/out" ] || fail "'$cmd --no-such-option' wrote to stdout"
done

# refused MESSAGE ARGS... : terraind ARGS... exits 2 and says MESSAGE on stderr.
refused() {
	message=$1
	shift
	expect_status 2 "$TERRAIND" "$@"
	expect_in "$TMP/err" "$message"
}

echo "numeric options are refused whole, with the option, its range and the value"
G="--gesture $TMP/none.json -o $TMP/none.wav"
refused "--smooth takes a number from 0 to 10000, not 'abc'" render $G --smooth abc
refused "--smooth takes a number from 0 to 10000, not ''" render $G --smooth ""
refused "--smooth takes a number from 0 to 10000, not '20ms'" render $G --smooth 20ms
refused "not 'nan'" render $G --smooth nan
refused "--tail takes a number from 0 to 3600, not 'inf'" render $G --tail inf
refused "--tail takes a number from 0 to 3600, not '-1'" render $G --tail -1
refused "--seed takes a whole number from 0 to 18446744073709551615, not '-1'" render $G --seed -1
refused "--epochs takes a whole number from 1 to 1000000, not '10x'" train d.json -o t.json --epochs 10x
refused "--lr takes a number from 1e-09 to 10, not '0'" train d.json -o t.json --lr 0
refused "--channels takes a whole number from 1 to 4096, not '99999'" train d.json -o t.json --channels 99999
refused "--size takes a whole number from 16 to 8192, not '5'" plot terrains/demo.json -o "$TMP/p.png" --size 5
refused "--threads takes a whole number from 1 to 64, not '2.5'" info --threads 2.5 models/demo.ts
refused "--bounds takes a number" import x.pt -o "$TMP/x.json" --bounds 1,nan
refused "--bounds takes MIN,MAX or one MIN,MAX pair per dimension, e.g. --bounds -16,16,-4,4; not '1'" import x.pt -o "$TMP/x.json" --bounds 1
refused "--port takes a whole number from 1 to 65535, not 'abc'" serve --port abc
refused "--period takes a whole number from 16 to 8192, not '7'" --period 7
[ ! -e "$TMP/none.wav" ] || fail "a refused render wrote its output"

echo "plot refuses channels the terrain lacks, before reading any latent"
refused "--rgb takes a whole number from 0 to 65535, not '-3'" plot terrains/demo.json -o "$TMP/p.png" --rgb 0,1,-3
refused "--rgb takes 3 whole numbers separated by commas" plot terrains/demo.json -o "$TMP/p.png" --rgb 0,1
refused "channel 4 does not exist (the terrain has 4 latents: 0 to 3)" plot terrains/demo.json -o "$TMP/p.png" --rgb 0,1,4
refused "channel 4 does not exist (the terrain has 4 latents: 0 to 3)" plot terrains/demo.json -o "$TMP/p.png" --channel 4
[ ! -e "$TMP/p.png" ] || fail "a refused plot wrote its output"
expect_status 0 "$TERRAIND" plot terrains/demo.json -o "$TMP/p.png" --rgb 1,2,3 --size 32
[ -s "$TMP/p.png" ] || fail "plot --rgb 1,2,3 wrote no picture"
echo "a path or name that does not fit its buffer is refused, never cut short"
long=$(printf 'd%.0s' $(seq 1100))
refused "the --model path is longer than 1023 bytes" serve --model "models/$long.ts"
refused "the --record path is longer than 1023 bytes" --record "$TMP/$long.wav"
refused "--name is longer than 127 bytes" import x.pt -o "$TMP/x.json" --name "$long"
refused "the output's file name is longer than 127 bytes" train d.json -o "$TMP/$(printf 'n%.0s' $(seq 130)).json"
ln -s "$PWD/models/demo.ts" "$TMP/$(printf 'm%.0s' $(seq 70)).ts"
expect_status 1 "$TERRAIND" info "$TMP/$(printf 'm%.0s' $(seq 70)).ts"
expect_in "$TMP/err" "the model's file name is longer than 63 bytes"
expect_status 2 "$TERRAIND" frobnicate
expect_in "$TMP/err" "unknown command 'frobnicate'"
echo "ok"
