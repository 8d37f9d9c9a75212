#!/bin/sh
# `terraind render --score`: an OSC score through the live dispatcher and
# engine, offline in virtual time. The same score and seed give the same
# file; a bad entry is named by its line, exits 1 and leaves no file.
. tests/e2e/lib.sh

echo "the bundled demo score renders, the same twice"
expect_status 0 "$TERRAIND" render --score terrains/demo-score.json -o "$TMP/a.wav" --seed 5 --tail 0
expect_in "$TMP/err" "10 score entries played through the dispatcher"
expect_status 0 "$TERRAIND" render --score terrains/demo-score.json -o "$TMP/b.wav" --seed 5 --tail 0
cmp -s "$TMP/a.wav" "$TMP/b.wav" || fail "two renders of the same score and seed differ"

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
echo "ok"
