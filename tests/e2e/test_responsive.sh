#!/bin/sh
# The network thread never waits for the render thread: with a heavy model
# playing (heavy.ts: a 171 ms frame decoded in about 0.7 of it, as a
# Music2Latent call), a /status right after a loop or session command, and a
# cursor stream beside loop and session traffic, are answered at once
# (responsive_checks.py).
. tests/e2e/lib.sh
. tests/e2e/jack.sh
MODEL="$BUILD/models/heavy.ts"
[ -f "$MODEL" ] || fail "$MODEL is missing: run make test-models"

start_jack 48000 128
PORT=$(free_port)
mkdir -p "$TMP/files"
cat >"$TMP/test.json" <<CONF
{ "allowed_dirs": ["models", "terrains", "$BUILD/models", "$TMP/files"], "engine": { "shed_voices": false } }
CONF
# the demo terrain, made for heavy.ts's layout (its frames are 16 of the demo's)
$PY -c 'import json, sys
t = json.load(open("terrains/demo.json"))
t["name"], t["model"] = "heavy", dict(t["model"], id="heavy", ratio=8192)
json.dump(t, open(sys.argv[1], "w"))' "$TMP/files/heavy.json" || fail "cannot write the terrain"
start_daemon_on_jack --config "$TMP/test.json" --model "$MODEL" --terrain "$TMP/files/heavy.json"

$PY tests/e2e/responsive_checks.py "$PORT" "$TMP/files" ||
	fail "responsiveness checks failed; daemon log: $(tail -20 "$TMP/daemon.err")"
stop_daemon "$DAEMON"
echo "ok"
