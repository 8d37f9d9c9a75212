#!/usr/bin/python3
"""Measures how well an autoencoder reconstructs the notes of the instrument corpus.

  /usr/bin/python3 scripts/check_instrument_model.py CORPUS_DIR [--model models/instruments.ts]
        [--compare models/demo.ts] [--notes N] [--markdown]

For each note of the corpus (or N of them, spread over the instruments) that another instrument
also plays (same pitch, velocity and articulation), the reconstruction decode(encode(note)) is
compared with the note:
  distance   a multi-resolution log-mel distance: the mean absolute difference of log mel
             magnitudes (64 bands, 40 Hz-16 kHz; magnitudes under 1e-4 of full scale count as 1e-4),
             averaged over FFT sizes 2048, 1024 and 512 (hop a quarter);
  ratio      that distance over the distance between the note and the nearest other instrument
             playing the same pitch (same velocity and articulation; compared over their common
             length): a ratio of 0.5 is a reconstruction twice as close to the note as any other
             instrument of the corpus is;
  pitch      the median over the note's sounding frames (louder than -50 dBFS) of the difference,
             in cents, between the pitch of the reconstruction and of the note, both measured by
             the same YIN estimator (scripts/instrument_model.py's encoder, which is fixed DSP,
             not learned).
It passes when at least 80 % of the notes have a ratio of at most 0.5 and the median pitch
difference over the notes is at most 25 cents (exit status 0; 1 otherwise, with the figures).
--compare runs a second model on the same notes (the report's baseline: the analytic demo).
"""
import argparse
import glob
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instrument_model import HOP, SR, InstrumentAutoencoder, mel_filterbank  # noqa: E402
from make_instrument_corpus import read_wav  # noqa: E402

FFT_SIZES = (2048, 1024, 512)
FLOOR = 1e-4
RATIO_MAX = 0.5
SHARE_MIN = 0.8
CENTS_MAX = 25.0
MEL = {n: mel_filterbank(n, 64, 40.0, 16000.0) for n in FFT_SIZES}


def log_mel(x, n):
    win = np.hanning(n)
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(x, (n // 2, n // 2)), n)[::n // 4]
    mag = np.abs(np.fft.rfft(frames * win, axis=1)) * (2.0 / win.sum())
    return np.log(np.maximum(mag @ MEL[n] / MEL[n].sum(axis=0), FLOOR))


def distance(a, b):
    n = min(len(a), len(b))
    return float(np.mean([np.abs(log_mel(a[:n], k) - log_mel(b[:n], k)).mean() for k in FFT_SIZES]))


def parse(path):
    """`violin_A4_v110_held.wav` -> (instrument, (pitch, velocity, articulation))."""
    parts = os.path.basename(path)[:-4].split("_")
    return parts[0], tuple(parts[1:])


def pick_notes(paths, count):
    """Notes another instrument also plays; `count` of them spread over the instruments."""
    by_key = {}
    for p in paths:
        by_key.setdefault(parse(p)[1], []).append(p)
    shared = [p for p in paths if len(by_key[parse(p)[1]]) > 1]
    if count <= 0 or count >= len(shared):
        return shared, by_key
    by_inst = {}
    for p in shared:
        by_inst.setdefault(parse(p)[0], []).append(p)
    chosen, i = [], 0
    while len(chosen) < count:
        for inst in sorted(by_inst):
            notes = by_inst[inst]
            if len(chosen) < count and i < len(notes):
                chosen.append(notes[(i * 7919) % len(notes)] if i else notes[len(notes) // 2])
        i += 1
    return chosen, by_key


def reconstruct(model, x):
    torch.manual_seed(0)
    if hasattr(model, "reset"):
        model.reset()
    with torch.no_grad():
        y = model.decode(model.encode(torch.from_numpy(x).view(1, 1, -1)))[0, 0].numpy()
    if hasattr(model, "reset"):
        model.reset()
    return y


def pitch_cents(analyser, x, y):
    """Median |cents| between the pitches of x and y over x's sounding frames."""
    with torch.no_grad():
        zx, lx, _ = analyser.features(torch.from_numpy(x).view(1, 1, -1))
        zy, _, _ = analyser.features(torch.from_numpy(y).view(1, 1, -1))
    n = min(zx.shape[1], zy.shape[1])
    sounding = (lx[0, :n] * 10.0 - 40.0) > -50.0
    if not bool(sounding.any()):
        return 0.0
    return float((1200.0 * (zy[0, :n] - zx[0, :n])[sounding]).abs().median())


def measure(model, notes, by_key, audio, analyser):
    rows = []
    for p in notes:
        x = audio[p]
        y = reconstruct(model, x)
        n = min(len(x), len(y))
        own = distance(x[:n], y[:n])
        others = [distance(x, audio[q]) for q in by_key[parse(p)[1]] if q != p]
        rows.append({"instrument": parse(p)[0], "note": os.path.basename(p), "distance": own,
                     "other": min(others), "ratio": own / min(others),
                     "cents": pitch_cents(analyser, x[:n], y[:n])})
    return rows


def summary(rows):
    ratios = np.array([r["ratio"] for r in rows])
    return {"notes": len(rows), "pass": float(np.mean(ratios <= RATIO_MAX)),
            "ratio": float(np.median(ratios)), "cents": float(np.median([r["cents"] for r in rows]))}


def table(results, names):
    instruments = sorted({r["instrument"] for r in results[names[0]]})
    head = "| instrument | notes | " + " | ".join(
        "%s: ratio <= 0.5 | %s: median ratio | %s: median pitch error" % (n, n, n) for n in names) + " |"
    lines = [head, "|" + "---|" * (2 + 3 * len(names))]
    for inst in instruments + ["all"]:
        cells = []
        for n in names:
            rows = [r for r in results[n] if inst in ("all", r["instrument"])]
            s = summary(rows)
            cells.append("%.0f %% | %.2f | %.1f cents" % (100 * s["pass"], s["ratio"], s["cents"]))
        count = len([r for r in results[names[0]] if inst in ("all", r["instrument"])])
        label = "**all**" if inst == "all" else inst
        lines.append("| %s | %d | %s |" % (label, count, " | ".join(cells)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--model", default="models/instruments.ts")
    ap.add_argument("--compare", help="a second model measured on the same notes (a baseline)")
    ap.add_argument("--notes", type=int, default=0, help="how many notes (0: every shared note)")
    ap.add_argument("--markdown", action="store_true", help="print the per-instrument table")
    a = ap.parse_args()
    torch.set_num_threads(1)
    paths = sorted(glob.glob(os.path.join(a.corpus, "*.wav")))
    notes, by_key = pick_notes(paths, a.notes)
    if not notes:
        sys.exit("check_instrument_model.py: no note of %s is played by two instruments" % a.corpus)
    audio = {}
    for p in {q for n in notes for q in by_key[parse(n)[1]]}:
        x, rate = read_wav(p)
        if rate != SR:
            sys.exit("check_instrument_model.py: %s is at %d Hz, not %d" % (p, rate, SR))
        audio[p] = x
    analyser = InstrumentAutoencoder()
    models = {os.path.basename(a.model): a.model}
    if a.compare:
        models[os.path.basename(a.compare)] = a.compare
    results = {name: measure(torch.jit.load(path), notes, by_key, audio, analyser)
               for name, path in models.items()}
    names = list(models)
    if a.markdown:
        print(table(results, names))
    ok = True
    for name in names:
        s = summary(results[name])
        verdict = s["pass"] >= SHARE_MIN and s["cents"] <= CENTS_MAX
        ok = ok and (verdict or name != names[0])
        print("%s: %d notes, %.0f %% with a log-mel distance at most %.1f of the nearest other instrument's "
              "(median ratio %.2f), median pitch error %.1f cents: %s"
              % (name, s["notes"], 100 * s["pass"], RATIO_MAX, s["ratio"], s["cents"],
                 "pass" if verdict else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
