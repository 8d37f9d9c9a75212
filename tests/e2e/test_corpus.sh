#!/bin/sh
# From sounds to a terrain and back: audio made by walking the demo terrain
# along a known path is encoded, a new terrain is trained on that path, and
# evaluating the new terrain along the path gives back latents close to the
# encoded ones, whose sound has the same pitch contour. Then the errors.
. tests/e2e/lib.sh
skip_under_tsan
# The round trip of new speech needs espeak-ng: without it the rest runs and
# the test ends as skipped (77, tests/run.sh), the reason on its first line.
HAVE_ESPEAK=1
if ! command -v espeak-ng >/dev/null 2>&1; then
	HAVE_ESPEAK=0
	echo "skipped in part: espeak-ng is not installed (apt-get install espeak-ng, or make deps), so the speech round trip is not checked"
fi

echo '[[0, -0.8, -0.8], [3, 0.8, 0.8]]' >"$TMP/walk.json"
echo '{"strokes": [{"item": 0, "points": [[-0.8, -0.8], [0.8, 0.8]]}]}' >"$TMP/strokes.json"
expect_status 0 "$TERRAIND" render --gesture "$TMP/walk.json" --tail 0 -o "$TMP/walk.wav"

echo "encode, train on the path, plot"
expect_status 0 "$TERRAIND" encode --model models/demo.ts "$TMP/walk.wav" -o "$TMP/ds.json"
expect_in "$TMP/err" "1 file(s), 282 latent frames"
expect_status 0 "$TERRAIND" train "$TMP/ds.json" --paths "$TMP/strokes.json" --epochs 200 --gauss-scale 0.5 \
	-o "$TMP/trained.json"
expect_in "$TMP/err" "final mean squared error"
expect_status 0 "$TERRAIND" plot "$TMP/trained.json" -o "$TMP/trained.png" --dataset "$TMP/ds.json" \
	--paths "$TMP/strokes.json"
$PY -c "import sys; d = open('$TMP/trained.png', 'rb').read(24); assert d[:8] == b'\x89PNG\r\n\x1a\n'; \
assert int.from_bytes(d[16:20], 'big') == 512" || fail "not a 512x512 PNG"

echo "the trained terrain gives back the encoded latents along the path"
$PY - "$TMP" "$TERRAIND" <<'P' || fail "the round trip does not hold"
import json, subprocess, sys
import numpy as np
tmp = sys.argv[1]
ds = json.load(open(tmp + "/ds.json"))
z = np.array(ds["items"][0]["latents"])
n = len(z)
t = np.linspace(0, 1, n)
coords = "\n".join("%f %f" % (-0.8 + 1.6 * s, -0.8 + 1.6 * s) for s in t)
out = subprocess.run([sys.argv[2], "eval", tmp + "/trained.json"],
                     input=coords, capture_output=True, text=True, check=True).stdout
got = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
rms = np.sqrt(((got - z) ** 2).mean(axis=0))
corr = np.corrcoef(got[:, 0], z[:, 0])[0, 1]
print("  RMS error per latent %s, pitch correlation %.3f" % (np.round(rms, 3), corr))
assert rms[0] < 0.1 and rms[1] < 0.1, rms   # pitch and loudness
assert rms.max() < 0.5, rms                   # brightness and noisiness are estimated more roughly
assert corr > 0.95, corr
P

echo "decoded, the trained terrain sounds like the original along the path"
expect_status 0 "$TERRAIND" render --terrain "$TMP/trained.json" --gesture "$TMP/walk.json" --tail 0 -o "$TMP/back.wav"
$PY - "$TMP" <<'P' || fail "the pitch contour was not reproduced"
import sys, wave
import numpy as np
def read(path):
    w = wave.open(path)
    return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16) / 32768.0, w.getframerate()
def f0(x, sr):
    x = x - x.mean()
    ac = np.correlate(x, x, "full")[len(x) - 1:]
    lo, hi = sr // 1000, sr // 50
    return sr / (lo + np.argmax(ac[lo:hi]))
a, sr = read(sys.argv[1] + "/walk.wav")
b, _ = read(sys.argv[1] + "/back.wav")
for t in (0.4, 1.5, 2.6):
    i = int(t * sr)
    fa, fb = f0(a[i:i + 4096], sr), f0(b[i:i + 4096], sr)
    print("  t=%.1f s: original %.1f Hz, from the trained terrain %.1f Hz" % (t, fa, fb))
    assert abs(fa - fb) / fa < 0.08, (t, fa, fb)  # within about a semitone
ra, rb = np.sqrt((a ** 2).mean()), np.sqrt((b ** 2).mean())
assert abs(20 * np.log10(rb / ra)) < 1.5, (ra, rb)
print("  loudness within %.2f dB" % abs(20 * np.log10(rb / ra)))
P

echo "errors: unreadable audio, an empty corpus, nothing overwritten"
printf 'RIFF\000\000\000\000WAVEjunk' >"$TMP/corrupt.wav"
expect_status 1 "$TERRAIND" encode "$TMP/corrupt.wav" "$TMP/walk.wav" -o "$TMP/ds2.json"
expect_in "$TMP/err" "skipping cannot read $TMP/corrupt.wav"
expect_in "$TMP/err" "1 file(s)"
cp "$TMP/ds.json" "$TMP/keep.json"
expect_status 1 "$TERRAIND" encode "$TMP/corrupt.wav" README.md -o "$TMP/keep.json"
expect_in "$TMP/err" "nothing was encoded (an empty or unreadable corpus)"
cmp -s "$TMP/ds.json" "$TMP/keep.json" || fail "a failed encode changed the existing dataset"
expect_status 1 "$TERRAIND" encode --model tests/fixtures/nn_tilde/features.ts "$TMP/walk.wav" -o "$TMP/x.json"
expect_in "$TMP/err" "no 'decode' method"

echo "errors: a dataset that does not fit, a terrain for another model"
sed 's/"latent_dim":4/"latent_dim":5/' "$TMP/ds.json" >"$TMP/bad.json"
cp "$TMP/trained.json" "$TMP/trained.bak"
expect_status 1 "$TERRAIND" train "$TMP/bad.json" -o "$TMP/trained.json"
expect_in "$TMP/err" "has 4 columns, expected 5"
cmp -s "$TMP/trained.json" "$TMP/trained.bak" || fail "a failed train changed the existing terrain"
expect_status 1 "$TERRAIND" render --model "$BUILD/models/stereo44k.ts" --terrain "$TMP/trained.json" \
	--gesture "$TMP/walk.json" -o "$TMP/x.wav"
expect_in "$TMP/err" "the terrain produces 4 latents but the model 'stereo44k' decodes 64"
echo "the corpus-trained speech model and its terrain (make speech) play together"
expect_status 0 "$TERRAIND" info models/speech.ts
expect_in "$TMP/out" "latent size:    8"
expect_status 0 "$TERRAIND" info terrains/speech.json
expect_in "$TMP/out" "made for:       model 'speech', 8 latents, 22050 Hz, ratio 256"
expect_status 0 "$TERRAIND" render --model models/speech.ts --terrain terrains/speech.json --gesture "$TMP/walk.json" \
	-o "$TMP/speech.wav"
if [ "$HAVE_ESPEAK" -eq 1 ]; then
	espeak-ng -w "$TMP/hello.wav" "a new sentence the model never heard"
	expect_status 0 "$TERRAIND" encode --model models/speech.ts "$TMP/hello.wav" -o "$TMP/hello.json"
	$PY - "$TMP" <<'P' || fail "the speech model does not round-trip speech"
import json, sys, wave
import numpy as np
sys.path.insert(0, "scripts")
import torch
tmp = sys.argv[1]
m = torch.jit.load("models/speech.ts")
w = wave.open(tmp + "/hello.wav")
x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
x = torch.from_numpy(x[: len(x) // 256 * 256]).view(1, 1, -1)
with torch.no_grad():
    y = m.decode(m.encode(x))
def spec(v):
    s = torch.stft(v.view(-1), 1024, 256, window=torch.hann_window(1024), return_complex=True).abs()
    return torch.log(s + 1e-4)
d = (spec(x) - spec(y)).abs().mean().item()
ref = (spec(x) - spec(torch.zeros_like(x))).abs().mean().item()
print("  log-spectral distance %.2f (silence would be %.2f)" % (d, ref))
assert d < 0.5 * ref, (d, ref)
P
fi
[ "$HAVE_ESPEAK" -eq 1 ] || exit 77
echo "ok"
