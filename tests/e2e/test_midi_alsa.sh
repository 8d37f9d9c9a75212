#!/bin/sh
# MIDI from the ALSA sequencer (midi.backend alsa), where the machine has
# one: aplaymidi plays two notes to terraind's sequencer port and /status
# shows them on two voices, then none. Audio stays on a private JACK
# server; only MIDI comes through ALSA.
. tests/e2e/lib.sh

if [ ! -e /dev/snd/seq ]; then
	echo "skipped: no ALSA sequencer here (/dev/snd/seq does not exist: no snd-seq kernel module, as in containers and VMs without sound); test_midi.sh plays MIDI on JACK"
	exit 77
fi
command -v aplaymidi >/dev/null || {
	echo "skipped: aplaymidi (alsa-utils) is not installed (make deps installs it)"
	exit 77
}
. tests/e2e/jack.sh

# A standard MIDI file: A3 and E4 at once, held two seconds, then released.
$PY - "$TMP/notes.mid" <<'MID'
import struct, sys
events = bytes([0x00, 0x90, 57, 100, 0x00, 0x90, 64, 100, 0x81, 0x70, 0x80, 57, 0, 0x00, 0x80, 64, 0, 0x00, 0xFF, 0x2F, 0x00])
# 0x81 0x70 = 240 ticks: two seconds at 120 ticks a beat and 60 bpm (the default tempo is 120: 500 ms a beat)
track = b"MTrk" + struct.pack(">I", len(events)) + events
open(sys.argv[1], "wb").write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 60) + track)
MID

start_jack 48000 128
PORT=$(free_port)
cat >"$TMP/test.json" <<CONF
{ "midi": { "inputs": ["*"], "backend": "alsa" } }
CONF
start_daemon_on_jack --config "$TMP/test.json"
expect_in_soon "$TMP/daemon.err" "MIDI on alsa"
$PY scripts/terraind_client.py --port "$PORT" send /voice/0/off >/dev/null
aplaymidi -p terraind:0 "$TMP/notes.mid" &
PLAYER=$!
$PY - "$PORT" <<'CHECK' || fail "the notes did not sound: $(tail -20 "$TMP/daemon.err")"
import sys
sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from terraind_client import Client
from waiting import wait_until
with Client(port=int(sys.argv[1])) as c:
    assert c.status()["midi"] == "alsa"
    wait_until(lambda: c.status()["voices_active"] == 2, "two notes from the ALSA sequencer sound")
    wait_until(lambda: c.status()["voices_active"] == 0, "their note-offs free the voices", seconds=10)
    print("  ok: aplaymidi's two notes played on two voices through the ALSA sequencer, then ended")
CHECK
wait $PLAYER
stop_daemon $DAEMON
stop_jack
echo "ok"
