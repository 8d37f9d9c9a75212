#!/bin/sh
# `terraind render --score`: an OSC score through the live dispatcher and
# engine, offline in virtual time. A bad entry is named by its line, exits
# 1 and leaves no file. The granular synthesiser, measured in the file:
# pitch along the scanned line, the grains' rhythm, spray from the seed
# (the same seed gives the same file). Then the same grains live, on JACK.
. tests/e2e/lib.sh
. tests/e2e/jack.sh


echo "a score's errors name the line and the entry, exit 1 and leave no file"
printf '[[0, "/xy", 0, 0],\n [0.2, "/voice/1/pan", 3]]\n' >"$TMP/bad.json"
expect_status 1 "$TERRAIND" render --score "$TMP/bad.json" -o "$TMP/c.wav"
expect_in "$TMP/err" "bad.json:2: entry 1 (/voice/1/pan at 0.2 s): pan 3 is out of range"
[ ! -e "$TMP/c.wav" ] || fail "a failed score left an output file"
printf '[[0, "/xy", 0, 0]\n [1, "/xy", 0, 0]]\n' >"$TMP/bad.json"
expect_status 1 "$TERRAIND" render --score "$TMP/bad.json" -o "$TMP/c.wav"
expect_in "$TMP/err" "bad.json: invalid JSON at line 2"
expect_status 2 "$TERRAIND" render --score "$TMP/bad.json" --gesture terrains/demo-gesture.json -o "$TMP/c.wav"
expect_in "$TMP/err" "a --gesture or a --score (one of them)"
echo "grains scan the demo terrain's line: 110 Hz at position 0, 320 Hz at 1, an 8 Hz envelope"
# A little spray (2 % of the line: a few Hz) so that the same renders also
# show that it comes from the seed.
cat >"$TMP/grains.json" <<'J'
[
  [0, "/voice/0/off"],
  [0, "/grain/line", 0, 0, 0.8, 0.8],
  [0, "/grain/position", 0],
  [0, "/grain/size", 40],
  [0, "/grain/density", 8],
  [0, "/grain/spray", 0.02],
  [0, "/grain/on"],
  [1, "/grain/position", 1],
  [2, "/grain/off"]
]
J
expect_status 0 "$TERRAIND" render --score "$TMP/grains.json" -o "$TMP/g1a.wav" --seed 1 --tail 0 --float
expect_in "$TMP/err" "9 score entries played through the dispatcher"
$PY - "$TMP/g1a.wav" <<'P' || fail "the grains do not sound as scanned"
import sys
import numpy as np
sys.path.insert(0, "tests/e2e")
from wavfile import read_float_wav
x, rate = read_float_wav(sys.argv[1])
x = x[:, 0]
def pitch(seg):
    n = 1 << 18
    f = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), n))
    hz = np.fft.rfftfreq(n, 1 / rate)
    band = (hz > 50) & (hz < 1000)
    return hz[band][np.argmax(f[band])]
low, high = pitch(x[int(0.1 * rate):int(0.9 * rate)]), pitch(x[int(1.1 * rate):int(1.9 * rate)])
env = np.sqrt(np.convolve(x * x, np.ones(240) / 240, "same"))
spectrum = np.abs(np.fft.rfft(env - env.mean(), 1 << 17))
hz = np.fft.rfftfreq(1 << 17, 1 / rate)
band = (hz > 1) & (hz < 40)
rhythm = hz[band][np.argmax(spectrum[band])]
print("grains: %.1f Hz at position 0, %.1f Hz at 1, envelope %.2f Hz" % (low, high, rhythm))
assert abs(low - 110) < 5 and abs(high - 320) < 10 and abs(rhythm - 8) < 0.3
P

echo "spray comes from the seed: the same seed gives the same file, another seed another"
for take in 1b 2; do
	expect_status 0 "$TERRAIND" render --score "$TMP/grains.json" -o "$TMP/g$take.wav" --seed "${take%b}" --tail 0 --float
done
cmp -s "$TMP/g1a.wav" "$TMP/g1b.wav" || fail "the same seed gave different files"
cmp -s "$TMP/g1a.wav" "$TMP/g2.wav" && fail "another seed gave the same file (spray is not drawn)"

echo "grains on the live daemon: /status counts them, /notify sends the scanner"
start_jack 48000 128
PORT=$(free_port)
# Sanitizer builds decode slower than real time: no voice may be shed there.
echo "{ \"engine\": { \"shed_voices\": $SHED_VOICES } }" >"$TMP/live.json"
start_daemon_on_jack --config "$TMP/live.json"
$PY tests/e2e/grains_checks.py "$PORT" || fail "grain checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
stop_daemon $DAEMON
stop_jack
echo "ok"
