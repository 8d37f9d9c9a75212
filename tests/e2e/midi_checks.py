#!/usr/bin/python3
"""MIDI on the live daemon, from JACK MIDI ports made after it started:
a keyboard's port is connected when it appears (another port, not named,
is not); two notes take two voices and, released, free them; velocity
and channel pressure set a voice's gain; a four-finger MPE stream moves
four voices independently (/notify's /voice/N/cursor follows each finger's
bend and CC74); a pad records a loop of a note's path; a second controller plugged in plays, unplugged its note
ends and the first plays on; malformed and truncated MIDI changes nothing;
a panic ends notes (CC123 All Notes Off the held ones, CC120 All Sound
Off the pedal's too).
The recording is checked afterwards by midi_recording.py: where each phase
lies is written to MARKS (the daemon's latent frames rendered).

Usage: midi_checks.py PORT MARKS"""
import json
import sys
import time

sys.path.insert(0, "scripts")
sys.path.insert(0, "tests/e2e")
from midi_out import MidiOut, bend, control, mpe_configuration, note_off, note_on, pressure  # noqa: E402
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

PHASE_S = 1.5
A3, E4 = 57, 64  # 220 Hz and 329.6 Hz: the demo's pitch latent plays them in tune


def voices(c):
    return c.status()["voices_active"]


def wait_voices(c, n, what):
    try:
        wait_until(lambda: voices(c) == n, what)
    except AssertionError as timed_out:
        s = c.status()  # what the daemon saw, for the failure's report
        raise AssertionError("%s: voices_active %d (want %d), midi_messages %d, midi_dropped %d, failures %d, "
                             "device_xruns %d, underruns %d" % (timed_out, s["voices_active"], n, s["midi_messages"],
                                                                s["midi_dropped"], s["failures"], s["device_xruns"],
                                                                s["underruns"])) from None


def inputs(c):
    return c.status()["midi_inputs"]


def phase(c, marks, name, keys, *events):
    """Plays events, holds them for a phase of the recording, marks its end."""
    keys.send(*events)
    time.sleep(PHASE_S)
    marks[name] = c.status()["frames"]


def check_connections(c):
    s = c.status()
    assert s["midi"] == "jack", s
    keys, other = MidiOut("keys"), MidiOut("other")
    wait_until(lambda: "keys:out" in inputs(c), "the daemon connects a port that appeared after it started")
    time.sleep(0.5)
    assert "other" not in inputs(c), inputs(c)
    print("  ok: --midi keys connects keys:out when it appears (and not other:out): midi_inputs '%s'" % inputs(c))
    return keys, other


def check_notes(c, keys, marks):
    c.request("/voice/0/off")  # the OSC cursor's voice: silence, so that only the notes sound
    wait_voices(c, 0, "voice 0 is off")
    phase(c, marks, "two_notes", keys, note_on(0, A3, 127), note_on(0, E4, 127))
    assert voices(c) == 2
    keys.send(note_off(0, A3), note_off(0, E4))
    wait_voices(c, 0, "both notes end")
    print("  ok: two notes sound on two voices; note-offs free them")


def check_gain(c, keys, marks):
    for name, events in (("loud", [note_on(0, 60, 127)]), ("soft", [note_on(0, 60, 40)]),
                         ("pressed", [note_on(0, 60, 127), pressure(0, 64)])):
        phase(c, marks, name, keys, *events)
        keys.send(note_off(0, 60))
        wait_voices(c, 0, "the note ends")
    print("  ok: velocity 127, velocity 40 and velocity 127 with pressure 64 played (gains checked in the recording)")


def cursors(c, want):
    """The latest /voice/N/cursor of each voice (/notify), until `want(cursors)` holds."""
    seen = {}

    def look():
        while c.server.recv(0):  # what has arrived, without waiting for a pause in the stream
            pass
        for path, args in c.replies:
            if path.startswith("/voice/") and path.endswith("/cursor"):
                seen[int(path.split("/")[2])] = args
        c.replies.clear()
        return want(seen)

    wait_until(look, "the voices' cursors reach the fingers' places")
    return seen


def finger_x(key, semitones):
    return -1.0 + 2.0 * (key - 36 + semitones) / 48.0  # the default line: keys 36..84 across x


def check_mpe(c, keys):
    fingers = [(1, 44), (2, 52), (3, 60), (4, 68)]  # member channels 2..5 (0-based 1..4), keys
    keys.send(*mpe_configuration(15))
    keys.send(*[control(ch, 74, 64) for ch, _ in fingers])
    keys.send(*[note_on(ch, k, 100) for ch, k in fingers])
    wait_voices(c, 4, "four fingers take four voices")
    c.request("/notify", 30)

    def at(expected):
        def holds(seen):
            found = {}
            for i, (x, y) in enumerate(expected):
                for v, args in seen.items():
                    if abs(args[0] - x) < 1e-3 and abs(args[1] - y) < 1e-3:
                        found[i] = v
            return found if len(found) == len(expected) else None
        return holds

    start = [(finger_x(k, 0), -1.0 + 2.0 * 64 / 127) for _, k in fingers]
    voice_of = at(start)(cursors(c, at(start)))
    assert len(set(voice_of.values())) == 4, voice_of
    slides = [6, -6, 3, 0]  # semitones, each finger its own
    slide_y = [20, 100, 64, 127]
    values = [int(s / 48 * 8192) for s in slides]  # members bend ±48 semitones
    keys.send(*[bend(ch, v) for (ch, _), v in zip(fingers, values)])
    keys.send(*[control(ch, 74, y) for (ch, _), y in zip(fingers, slide_y)])
    moved = [(finger_x(k, v * 48 / 8192), -1.0 + 2.0 * y / 127) for (_, k), v, y in zip(fingers, values, slide_y)]
    seen = cursors(c, lambda seen: all(
        v in seen and abs(seen[v][0] - moved[i][0]) < 1e-3 and abs(seen[v][1] - moved[i][1]) < 1e-3
        for i, v in voice_of.items()))
    for i, v in sorted(voice_of.items()):
        print("  ok: finger %d (channel %d, key %d) on voice %d: bent %+d semitones, CC74 %d -> cursor %.3f %.3f"
              % (i + 1, fingers[i][0] + 1, fingers[i][1], v, slides[i], slide_y[i], seen[v][0], seen[v][1]))
    # the manager channel's bend (±2 semitones) moves every finger
    keys.send(bend(0, 8191))
    shift = 2.0 * 8191 / 8192 * 2.0 / 48.0
    cursors(c, lambda seen: all(v in seen and abs(seen[v][0] - min(1.0, moved[i][0] + shift)) < 1e-3
                                for i, v in voice_of.items()))
    print("  ok: the manager channel's bend moves all four")
    c.request("/notify", 0)
    keys.send(bend(0, 0), *[note_off(ch, k) for ch, k in fingers], *mpe_configuration(0))
    wait_voices(c, 0, "the fingers lift")


def loop_info(c):
    c.send("/loop/0/get")
    _, args = c.wait_reply(lambda p, a: p == "/loop/0/info")
    return dict(zip(args[0::2], args[1::2]))


def check_loop(c, keys):
    """A pad mapped to /loop/0/record records the newest note's path (the
    config maps cc 80); the bend moves it meanwhile; the second press ends
    it, and the loop plays the path on its own voice."""
    keys.send(note_on(0, 60, 100))
    wait_voices(c, 1, "a note sounds")
    keys.send(control(0, 80, 127), control(0, 80, 0))
    wait_until(lambda: loop_info(c)["state"] == "recording", "cc 80 starts recording loop 0")
    for i in range(8):
        keys.send(bend(0, 1000 * i))
        time.sleep(0.06)
    keys.send(control(0, 80, 127), control(0, 80, 0))
    info = wait_until(lambda: (lambda i: i if i["state"] == "playing" else None)(loop_info(c)),
                      "cc 80 again ends the recording and the loop plays")
    assert info["frames"] > 10, info
    keys.send(note_off(0, 60), bend(0, 0))
    c.request("/loop/0/clear")
    wait_voices(c, 0, "the note and the loop end")
    failures = c.status()["failures"]
    keys.send(control(0, 81, 127), control(0, 81, 0))  # cc 81 plays loop 1, which is empty: refused
    wait_until(lambda: c.status()["failures"] > failures, "the empty loop's /fail (logged for MIDI)")
    print("  ok: cc 80 recorded loop 0 from the note's voice (%d latent frames, %.2f s) and it played"
          % (info["frames"], info["length"]))


def check_hot_plug(c, keys):
    pads = MidiOut("pads")
    wait_until(lambda: "pads:out" in inputs(c), "a second controller plugged in is connected")
    pads.send(note_on(9, 72, 100))
    wait_voices(c, 1, "its note sounds")
    pads.close()
    wait_until(lambda: "pads" not in inputs(c), "an unplugged controller leaves midi_inputs")
    wait_voices(c, 0, "an unplugged controller's note ends")
    keys.send(note_on(0, 60, 100))
    wait_voices(c, 1, "the first controller plays on")
    keys.send(note_off(0, 60))
    wait_voices(c, 0, "its note ends")
    print("  ok: pads:out plugged in plays, unplugged its note ends; keys:out plays on")


GARBAGE = [
    [0xF6],              # tune request: no running status from here
    [60, 100],           # data with no status
    [0xF0, 0x7E, 0x01],  # a SysEx fragment, never ended...
    [0x90, 61],          # ...cut by a note-on that is itself cut short
    [0xF4], [0xF5, 0x10], [0xF9], [0xFD], [0xF7], [0xFF],  # undefined and stray system bytes
    [0x90],              # a status alone
    [0xE0, 0x7F],        # a truncated bend
    [0xB0, 0xF8, 74, 0xFD, 10],  # CC74 with real-time bytes inside: valid
    [0xF0] + [0x11] * 300 + [0xF7],  # a long SysEx
    [0x92, 62, 100, 63],  # a note-on and a running-status fragment
]


def check_garbage(c, keys):
    before = c.status()
    keys.send(*GARBAGE)
    time.sleep(0.5)
    s = c.status()
    assert s["midi_dropped"] > before["midi_dropped"], (before["midi_dropped"], s["midi_dropped"])
    assert s["voices_active"] == 1, s  # the one whole note-on in it (channel 3, key 62)
    keys.send(note_off(2, 62), note_on(0, 60, 100))
    wait_until(lambda: voices(c) == 1 and c.status()["midi_messages"] > s["midi_messages"], "a note after the garbage")
    keys.send(note_off(0, 60))
    wait_voices(c, 0, "its note ends")
    print("  ok: malformed and truncated MIDI dropped (midi_dropped %d -> %d), the daemon plays on"
          % (before["midi_dropped"], s["midi_dropped"]))


def check_panic(c, keys):
    """CC123 (All Notes Off) ends the held notes, the pedal keeping its
    own; CC120 (All Sound Off) ends those too."""
    keys.send(note_on(0, 60, 100), note_on(0, 64, 100))
    wait_voices(c, 2, "two notes sound")
    keys.send(control(0, 123, 0))
    wait_voices(c, 0, "All Notes Off ends them")
    keys.send(control(0, 64, 127), note_on(0, 60, 100))
    wait_voices(c, 1, "a note sounds, the pedal down")
    messages = c.status()["midi_messages"]
    keys.send(control(0, 123, 0))
    wait_until(lambda: c.status()["midi_messages"] > messages, "All Notes Off arrives")
    time.sleep(0.2)
    assert voices(c) == 1, "the pedal holds its note through All Notes Off"
    keys.send(control(0, 120, 0))
    wait_voices(c, 0, "All Sound Off ends the note the pedal holds")
    keys.send(control(0, 64, 0))
    print("  ok: CC123 (All Notes Off) ended two held notes, not the pedal's; CC120 (All Sound Off) ended that")


def main():
    port = int(sys.argv[1])
    marks = {}
    with Client(port=port) as c:
        keys, other = check_connections(c)
        check_notes(c, keys, marks)
        check_gain(c, keys, marks)
        marks["end"] = c.status()["frames"]
        check_mpe(c, keys)
        check_loop(c, keys)
        check_hot_plug(c, keys)
        check_garbage(c, keys)
        check_panic(c, keys)
        s = c.status()
        print("  MIDI: %d messages, %d bytes dropped, %d unmapped; arrival to dispatch %.2f ms; "
              "control latency %.1f ms; limited %d"
              % (s["midi_messages"], s["midi_dropped"], s["midi_unmapped"], s["midi_delay_ms"], s["latency_ms"],
                 s["limited"]))
        marks["limited"] = s["limited"]
        keys.close()
        other.close()
    with open(sys.argv[2], "w") as f:
        json.dump(marks, f)


if __name__ == "__main__":
    main()
