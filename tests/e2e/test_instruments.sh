#!/bin/sh
# The instrument model and terrain (models/instruments.ts, terrains/instruments.json), the
# defaults of config/terraind.json and `make run`:
# - the model follows the conventions terraind plays best (info: playable, one streaming frame a
#   call, 32 voices in one batch, sub-frame control);
# - its reconstructions of real notes are close (scripts/check_instrument_model.py on the 16 held
#   C4 and Eb4 notes of the corpus's eight instruments, rendered here by fluidsynth);
# - the corpus generator and the training script run end to end on a tiny setting, and terraind's
#   own pipeline (encode, train --labels, plot) makes a labelled terrain from what they made;
# - the default configuration starts on JACK and plays the instruments: a voice at the violin's
#   label and one at the choir's sound (recorded), and /status names the model and terrain.
. tests/e2e/lib.sh
. tests/e2e/jack.sh
skip_under_sanitizer "libtorch's (uninstrumented) decoding and the Python training dominate; test_model and test_web cover the C paths"

[ -x /usr/bin/fluidsynth ] && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] ||
	{ echo "skipped: fluidsynth or fluid-soundfont-gm is missing (make deps installs them)"; exit 77; }

echo "info: the conventions"
expect_status 0 "$TERRAIND" info models/instruments.ts
for line in "latent size:    8" "48000 Hz (from the model's 'sr')" "frames per call: 1 (a streaming decoder" \
	"voices:         up to 32 decoded together" "sub-frame:      yes" "verdict:        playable" \
	"latent labels:  pitch loudness timbre 1"; do
	expect_in "$TMP/out" "$line"
done
expect_status 0 "$TERRAIND" info terrains/instruments.json
for name in flute clarinet altosax trumpet violin cello choir guitar; do
	expect_in "$TMP/out" " $name at ("
done

echo "reconstruction of real notes (C4 and Eb4, held, each instrument)"
$PY scripts/make_instrument_corpus.py "$TMP/notes" --subset >"$TMP/corpus.out" 2>&1 || fail "corpus: $(cat "$TMP/corpus.out")"
$PY scripts/check_instrument_model.py "$TMP/notes" --model models/instruments.ts >"$TMP/check.out" 2>&1 ||
	fail "the model's reconstructions: $(cat "$TMP/check.out")"
cat "$TMP/check.out"

echo "corpus generator, training script and terraind's pipeline, on a tiny setting"
$PY scripts/make_instrument_corpus.py "$TMP/tiny" --tiny >"$TMP/corpus.out" 2>&1 || fail "tiny corpus: $(cat "$TMP/corpus.out")"
[ "$(ls "$TMP/tiny"/*.wav | wc -l)" -eq 4 ] || fail "the tiny corpus is not 4 files: $(ls "$TMP/tiny")"
$PY scripts/train_instrument_model.py "$TMP/tiny" -o "$TMP/tiny.ts" --steps 2 >"$TMP/train.out" 2>&1 ||
	fail "training: $(cat "$TMP/train.out")"
expect_in "$TMP/train.out" "step 2/2"
expect_in "$TMP/train.out" "streaming decode verified"
expect_status 0 "$TERRAIND" info "$TMP/tiny.ts"
expect_in "$TMP/out" "verdict:        playable"
expect_status 0 "$TERRAIND" encode --model "$TMP/tiny.ts" "$TMP/tiny"/*.wav -o "$TMP/tiny-dataset.json"
expect_status 0 "$TERRAIND" train "$TMP/tiny-dataset.json" --layout-latents 2,3,4,5,6,7 --labels --epochs 2 \
	-o "$TMP/tiny-terrain.json"
expect_in "$TMP/err" "flute at ("
expect_in "$TMP/err" "violin at ("
expect_in "$TMP/tiny-terrain.json" '"name":	"violin"'
expect_status 0 "$TERRAIND" plot "$TMP/tiny-terrain.json" -o "$TMP/tiny.png" --dataset "$TMP/tiny-dataset.json" \
	--layout-latents 2,3,4,5,6,7 --size 64
[ -s "$TMP/tiny.png" ] || fail "plot wrote no picture"
expect_status 0 "$TERRAIND" train "$TMP/tiny-dataset.json" --layout lda --layout-latents 2,3,4,5,6,7 --labels \
	--epochs 1 -o "$TMP/tiny-lda.json"
expect_in "$TMP/tiny-lda.json" '"name":	"flute"'
mkdir "$TMP/one" && cp "$TMP/tiny"/violin_* "$TMP/one/"
expect_status 0 "$TERRAIND" encode --model "$TMP/tiny.ts" "$TMP/one"/*.wav -o "$TMP/one.json"
expect_status 1 "$TERRAIND" train "$TMP/one.json" --layout lda --epochs 1 -o "$TMP/one-terrain.json"
expect_in "$TMP/err" "the lda layout needs at least 2 groups of sounds, the corpus has 1"

echo "the default configuration plays the instruments on JACK"
start_jack 48000 128
PORT=$(free_port)
start_daemon_on_jack --config config/terraind.json --http-port 0 --record "$TMP/rec.wav"
$PY - "$PORT" <<'PY' || fail "the default configuration: $(tail -20 "$TMP/daemon.err")"
import json, sys, time
sys.path.insert(0, "scripts")
from terraind_client import Client
labels = {l["name"]: l["at"] for l in json.load(open("terrains/instruments.json"))["labels"]}
with Client(port=int(sys.argv[1])) as c:
    s = c.status()
    assert s["model"] == "instruments" and s["terrain"] == "instruments", s
    c.request("/voice/0/xy", *labels["violin"])
    c.request("/voice/1/xy", *labels["choir"])
    time.sleep(1.5)
    s = c.status()
    assert s["voices_active"] == 2, s
    print("  ok: config/terraind.json plays model %s, terrain %s; voices at the violin %s and the choir %s"
          % (s["model"], s["terrain"], labels["violin"], labels["choir"]))
PY
stop_daemon $DAEMON
stop_jack
$PY tests/e2e/sounding_wav.py "$TMP/rec.wav" 2 1.0 || fail "the recording is silent or broken"
echo "ok"
