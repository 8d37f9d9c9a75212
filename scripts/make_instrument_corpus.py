#!/usr/bin/python3
"""Builds the instrument corpus: real recorded instruments played by fluidsynth from MIDI written
here, one WAV file per note, named for what it holds (`violin_A4_v100_held.wav`).

  /usr/bin/python3 scripts/make_instrument_corpus.py [OUTDIR]   (default build/instruments)
  /usr/bin/python3 scripts/make_instrument_corpus.py OUTDIR --tiny     (2 instruments, 4 notes: tests)
  /usr/bin/python3 scripts/make_instrument_corpus.py OUTDIR --subset   (C4 and Eb4 held at velocity 110
                                                                        on all 8 instruments: 16 notes)

The sounds: the FluidR3 General MIDI SoundFont (Debian's fluid-soundfont-gm, MIT licence; its
samples are recordings of real instruments), rendered offline by Debian's fluidsynth at 48 kHz with
its reverb and chorus off (a dry recording: the model has no room to learn). Nothing is downloaded.

Eight General MIDI programs, so that the terrain has families to walk between: flute, clarinet,
alto sax, trumpet, violin, cello, choir aahs and nylon-string guitar (plucked, decaying). Each is
played on the notes of one shared grid (every third semitone from C2) that fall in its range, so
that most pitches are played by several instruments, at two velocities (60 and 110), held (1.5 s)
and short (0.3 s). Each note is cut from its instrument's rendering at its note-on and ends where
its release has fallen 60 dB below the note's peak (at most 0.6 s after the note-off), so no file
ends in a long silence.

Deterministic: the same fluidsynth and SoundFont give the same files (fluidsynth's offline
rendering draws no random numbers once reverb and chorus are off). Mono 16-bit WAV.
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import wave

import numpy as np

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
SR = 48000
# name, General MIDI program (0-based), lowest and highest MIDI note played
INSTRUMENTS = [
    ("flute", 73, 60, 91),
    ("clarinet", 71, 50, 84),
    ("altosax", 65, 49, 79),
    ("trumpet", 56, 54, 82),
    ("violin", 40, 55, 91),
    ("cello", 42, 36, 69),
    ("choir", 52, 48, 74),
    ("guitar", 24, 40, 76),
]
GRID_ROOT, GRID_STEP = 36, 3          # C2, every minor third: notes shared between instruments
VELOCITIES = (60, 110)
ARTICULATIONS = (("held", 1.5), ("short", 0.3))
SLOT = 2.5                            # seconds between note-ons in one rendering
RELEASE_MAX = 0.6                     # seconds kept after the note-off, at most
FLOOR_DB = -60.0                      # ... and only while the release is above this (re peak)
TICKS = 480                           # per quarter note; 120 bpm: 960 ticks a second
NOTE_NAMES = ["C", "Cs", "D", "Eb", "E", "F", "Fs", "G", "Ab", "A", "Bb", "B"]


def note_name(midi):
    return "%s%d" % (NOTE_NAMES[midi % 12], midi // 12 - 1)


def varlen(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def midi_file(program, notes):
    """A format-0 standard MIDI file: one program change, then each (on_s, off_s, key, vel)."""
    events = []  # (tick, bytes)
    for on, off, key, vel in notes:
        events.append((round(on * 2 * TICKS), bytes([0x90, key, vel])))
        events.append((round(off * 2 * TICKS), bytes([0x80, key, 0])))
    events.sort(key=lambda e: (e[0], e[1][0]))  # note-offs (0x80) before note-ons at one tick
    track = bytearray(b"\x00\xff\x51\x03\x07\xa1\x20")  # tempo: 500000 us a quarter (120 bpm)
    track += b"\x00" + bytes([0xC0, program])
    tick = 0
    for t, data in events:
        track += varlen(t - tick) + data
        tick = t
    track += varlen(2 * TICKS) + b"\xff\x2f\x00"  # end of track, a second after the last event
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS)
    return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2, path
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return x.reshape(-1, w.getnchannels()).mean(axis=1), w.getframerate()


def write_wav(path, x):
    pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def render(midi_bytes, workdir):
    mid = os.path.join(workdir, "in.mid")
    out = os.path.join(workdir, "out.wav")
    with open(mid, "wb") as f:
        f.write(midi_bytes)
    subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "1.0", "-r", str(SR),
                    "-T", "wav", "-O", "s16", "-F", out, SOUNDFONT, mid],
                   check=True, stdout=subprocess.DEVNULL)
    x, rate = read_wav(out)
    assert rate == SR, (rate, SR)
    return x


def cut_note(x, on, off):
    """The note from its note-on to where its release falls FLOOR_DB under its peak."""
    start, stop = int(on * SR), int(off * SR)
    seg = x[start:min(len(x), stop + int(RELEASE_MAX * SR))]
    peak = max(float(np.abs(seg).max()), 1e-9)
    hop = 240  # 5 ms
    tail = seg[stop - start:]
    keep = 0
    for i in range(0, len(tail) - hop + 1, hop):
        if np.abs(tail[i:i + hop]).max() > peak * 10 ** (FLOOR_DB / 20):
            keep = i + hop
    return seg[:stop - start + keep]


def plan(instruments):
    """Every (instrument, program, key, velocity, articulation, held seconds)."""
    notes = []
    for name, program, lo, hi in instruments:
        keys = [k for k in range(GRID_ROOT, 128, GRID_STEP) if lo <= k <= hi]
        for key in keys:
            for vel in VELOCITIES:
                for art, dur in ARTICULATIONS:
                    notes.append((name, program, key, vel, art, dur))
    return notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?", default="build/instruments")
    ap.add_argument("--tiny", action="store_true",
                    help="2 instruments, 2 pitches, one velocity, held: a quick end-to-end test")
    ap.add_argument("--subset", action="store_true",
                    help="C4 and Eb4, velocity 110, held, on every instrument: the quality test's notes")
    a = ap.parse_args()
    if not os.path.exists(SOUNDFONT):
        sys.exit("make_instrument_corpus.py: %s is missing: install fluid-soundfont-gm (make deps does)"
                 % SOUNDFONT)
    notes = plan(INSTRUMENTS)
    if a.tiny:
        notes = [n for n in notes if n[0] in ("violin", "flute") and n[2] in (60, 72)
                 and n[3] == VELOCITIES[1] and n[4] == "held"]
    if a.subset:
        notes = [n for n in notes if n[2] in (60, 63) and n[3] == VELOCITIES[1] and n[4] == "held"]
    os.makedirs(a.outdir, exist_ok=True)
    written = 0
    with tempfile.TemporaryDirectory() as work:
        for name, program, _, _ in INSTRUMENTS:
            mine = [n for n in notes if n[0] == name]
            if not mine:
                continue
            timed = [(i * SLOT + 0.1, i * SLOT + 0.1 + n[5], n[2], n[3]) for i, n in enumerate(mine)]
            x = render(midi_file(program, timed), work)
            for (on, off, key, vel), n in zip(timed, mine):
                path = os.path.join(a.outdir, "%s_%s_v%d_%s.wav" % (name, note_name(key), vel, n[4]))
                write_wav(path, cut_note(x, on, off))
                written += 1
            print("make_instrument_corpus.py: %s, %d notes" % (name, len(mine)), flush=True)
    print("make_instrument_corpus.py: wrote %d files to %s" % (written, a.outdir))


if __name__ == "__main__":
    main()
