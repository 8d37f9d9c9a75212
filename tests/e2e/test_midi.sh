#!/bin/sh
# MIDI and MPE on a real JACK server: terraind opens JACK MIDI itself,
# connects the ports --midi names as they appear (hot-plug), plays notes
# on voices in tune (two notes, two pitches in the recording), velocity
# and pressure as gain, four MPE fingers on four voices moving each its
# own way, a pad recording a loop of a note's path, a controller
# unplugged and another playing on, malformed MIDI dropped
# (midi_checks.py, midi_recording.py; python3-jack-client sends).
. tests/e2e/lib.sh
. tests/e2e/jack.sh

if ! $PY -c 'import jack' 2>/dev/null; then
	echo "skipped: python3-jack-client is not installed (make deps installs it): it sends the test's MIDI"
	exit 77
fi

start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "engine": { "voices": 8, "release_ms": 50, "shed_voices": $SHED_VOICES },
  "midi": { "inputs": ["something else"] },
  "mappings": [{ "midi": "cc 80", "to": "loop", "loop": 0, "command": "record" },
               { "midi": "cc 81", "to": "loop", "loop": 1, "command": "play" }] }
CONF
# --midi replaces the file's midi.inputs
start_daemon_on_jack --config "$TMP/test.json" --record "$TMP/rec.wav" --midi keys --midi pads

$PY tests/e2e/midi_checks.py "$PORT" "$TMP/marks.json" || fail "MIDI checks failed; daemon log: $(tail -30 "$TMP/daemon.err")"
expect_in "$TMP/daemon.err" "MIDI: connected keys:out"
expect_in "$TMP/daemon.err" "MIDI: pads:out went away"
# a mapping the dispatcher refuses (loop 1 is empty) is logged, not answered
expect_in "$TMP/daemon.err" "MIDI: /loop/1/play: loop 1 is empty"
stop_daemon $DAEMON
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	$PY tests/e2e/midi_recording.py "$TMP/rec.wav" "$TMP/marks.json" || fail "the recording does not hold the notes"
else
	echo "  skipped in a sanitizer build (underruns leave gaps): the recording's pitches and gains"
fi
stop_jack
echo "ok"
