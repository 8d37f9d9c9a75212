#!/bin/sh
# MIDI and MPE on a real JACK server: terraind opens JACK MIDI itself,
# connects the ports --midi names as they appear (hot-plug), plays notes
# on voices in tune (two notes, two pitches in the recording), velocity
# and pressure as gain, four MPE fingers on four voices moving each its
# own way, a pad recording a loop of a note's path, a controller
# unplugged and another playing on, malformed MIDI dropped, a panic
# (All Notes Off, All Sound Off) ending notes
# (midi_checks.py, midi_recording.py; python3-jack-client sends).
. tests/e2e/lib.sh
. tests/e2e/jack.sh

if ! $PY -c 'import jack' 2>/dev/null; then
	echo "skipped: python3-jack-client is not installed (make deps installs it): it sends the test's MIDI"
	exit 77
fi

# Synchronous (-S): JACK 2's default asynchronous mode starts the next
# cycle without a client that runs late, and what a MIDI port held for the
# cycle it missed never reaches it (tests/e2e/jack_midi_loss.py: 78 of
# 1125 events lost with a client 12 ms late every 40 cycles, none with
# -S). A sanitizer build runs late often, and a note-off lost that way
# hung a note (docs/midi.md, "When JACK runs late").
start_jack 48000 128 -S
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "audio": { "ring_ms": 15 }, "engine": { "voices": 8, "release_ms": 50, "shed_voices": $SHED_VOICES },
  "midi": { "inputs": ["something else"] },
  "mappings": [{ "midi": "cc 80", "to": "loop", "loop": 0, "command": "record" },
               { "midi": "cc 81", "to": "loop", "loop": 1, "command": "play" }] }
CONF
# --midi replaces the file's midi.inputs
start_daemon_on_jack --config "$TMP/test.json" --record "$TMP/rec.wav" --midi keys --midi pads

$PY tests/e2e/midi_checks.py "$PORT" "$TMP/marks.json" || fail "MIDI checks failed; the daemon's warnings and errors: $(grep -v ': info: ' "$TMP/daemon.err" | tail -20)"
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
