#!/bin/sh
# Builds a small speech corpus with espeak-ng (a Debian package; nothing is
# downloaded): 27 phrases (3 texts, 3 voices, 3 pitches, 4 speeds) as
# 22.05 kHz mono WAV files in OUTDIR (default build/corpus).
# Deterministic: the same espeak-ng gives the same files.
set -eu
OUT=${1:-build/corpus}
mkdir -p "$OUT"
command -v espeak-ng >/dev/null 2>&1 || { echo "make_corpus.sh: install espeak-ng (make deps does)" >&2; exit 1; }
i=0
for voice in en-us en-gb en-gb-scotland; do
	for pitch in 20 50 80; do
		for phrase in \
			"latent terrains are learned surfaces over a control space" \
			"walk slowly from the valley to the ridge and listen" \
			"ah ee oo, mm nn, ss sh, the vowels glide and hiss"; do
			speed=$((120 + (i % 4) * 25))
			espeak-ng -v "$voice" -p "$pitch" -s "$speed" -w "$OUT/phrase-$(printf '%02d' $i).wav" "$phrase"
			i=$((i + 1))
		done
	done
done
echo "make_corpus.sh: wrote $i files to $OUT"
