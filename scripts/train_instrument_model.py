#!/usr/bin/python3
"""Trains models/instruments.ts, the harmonic-plus-noise autoencoder of scripts/instrument_model.py,
on the corpus of scripts/make_instrument_corpus.py (real instruments: FluidR3 through fluidsynth).

  /usr/bin/python3 scripts/train_instrument_model.py [CORPUS_DIR] [-o models/instruments.ts]
        [--steps 4000] [--threads 1] [--seed 0]
  /usr/bin/python3 scripts/train_instrument_model.py CORPUS_DIR -o /tmp/t.ts --steps 3   (a smoke run)

What is learned: the timbre encoder (log-mel frames -> six timbre latents) and the decoder's MLP
(latents -> harmonic and noise controls). Pitch (YIN) and loudness (RMS) are measured, not learned,
so they are computed once for the whole corpus before training.
Loss: multi-resolution STFT magnitudes, linear and log (FFT sizes 2048 to 128, hop a quarter), as
DDSP; plus, with a small weight, an instrument classifier reading the timbre latents (the file
names say which instrument a note is), so that each instrument's notes gather in their own part of
the timbre space: what lets terraind's PCA layout give each family a region of the terrain.
Adam, learning rate 1e-3 halving every fifth of the steps; batches of 16 half-second segments.
Seeded (torch, numpy): the same corpus and step count give the same weights on one machine.
Logs the loss every 50 steps, then exports with torch.jit.script and checks the file from the
outside (nn~ conventions, streaming decode frame by frame = all at once, 8-voice decode cost).
"""
import argparse
import glob
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from instrument_model import HOP, LATENTS, SR, TIMBRE, InstrumentAutoencoder, trainable  # noqa: E402
from make_instrument_corpus import read_wav  # noqa: E402
from nn_tilde_conventions import check_model, fixed_hash_seed  # noqa: E402

SEGMENT = 48        # frames (0.51 s)
BATCH = 16
FFT_SIZES = (2048, 1024, 512, 256, 128)
CLASSIFIER_WEIGHT = 0.05


def instrument_of(path):
    """`violin_A4_v110_held.wav` -> `violin`: the corpus's file names carry the instrument."""
    return os.path.basename(path).split("_")[0]


def load_corpus(folder, model):
    paths = sorted(glob.glob(os.path.join(folder, "*.wav")))
    if not paths:
        sys.exit("train_instrument_model.py: no WAV files in %s (run scripts/make_instrument_corpus.py)"
                 % folder)
    names = sorted({instrument_of(p) for p in paths})
    items = []
    with torch.no_grad():
        for p in paths:
            x, rate = read_wav(p)
            if rate != SR:
                sys.exit("train_instrument_model.py: %s is at %d Hz, the model at %d" % (p, rate, SR))
            t = len(x) // HOP
            if t < SEGMENT:  # short notes: padded with silence to one segment
                x = np.pad(x, (0, SEGMENT * HOP - len(x)))
                t = SEGMENT
            audio = torch.from_numpy(x[:t * HOP].copy())
            z0, z1, lm = model.features(audio.view(1, 1, -1))
            items.append({"audio": audio, "z0": z0[0], "z1": z1[0], "lm": lm[0],
                          "label": names.index(instrument_of(p))})
    return items, names


def make_batch(items, rng):
    weights = np.array([len(it["z0"]) for it in items], dtype=np.float64)
    pick = rng.choice(len(items), size=BATCH, p=weights / weights.sum())
    audio, z0, z1, lm, label = [], [], [], [], []
    for i in pick:
        it = items[i]
        s = int(rng.integers(0, len(it["z0"]) - SEGMENT + 1))
        audio.append(it["audio"][s * HOP:(s + SEGMENT) * HOP])
        z0.append(it["z0"][s:s + SEGMENT])
        z1.append(it["z1"][s:s + SEGMENT])
        lm.append(it["lm"][:, s:s + SEGMENT])
        label.append(it["label"])
    return (torch.stack(audio), torch.stack(z0), torch.stack(z1), torch.stack(lm),
            torch.tensor(label))


def reconstruct(model, z0, z1, lm, phase0):
    """Audio (B, SEGMENT*HOP) from measured pitch and loudness and the learned timbre, as decode
    makes it from a fresh state; also the timbre latents."""
    timbre = model.timbre_net(lm)
    z = torch.cat([z0.unsqueeze(1), z1.unsqueeze(1), timbre], dim=1)
    f0, amp, noise = model.controls(z)
    tail = torch.zeros(z.shape[0], HOP)
    y, _, _ = model.synthesize(f0, amp, noise, phase0, f0[:, :1], amp[:, 0], tail)
    return y, timbre


def spectral_loss(y, x):
    loss = 0.0
    for n in FFT_SIZES:
        win = torch.hann_window(n)
        a = torch.stft(y, n, n // 4, window=win, return_complex=True).abs()
        b = torch.stft(x, n, n // 4, window=win, return_complex=True).abs()
        loss = loss + (a - b).abs().mean() + (torch.log(a + 1e-5) - torch.log(b + 1e-5)).abs().mean()
    return loss


def verify_export(path, items):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as terraind decodes: one torch thread
    m = check_model(path, SR, {"encode": [1, 1, LATENTS, HOP], "decode": [LATENTS, HOP, 1, 1],
                               "forward": [1, 1, 1, 1]})
    with torch.no_grad():
        # one row: the noise draws come in the same order whether decoded at once or frame by frame
        z = m.encode(items[0]["audio"].view(1, 1, -1))[:, :, :40]
        m.reset()
        torch.manual_seed(1)
        whole = m.decode(z)
        m.reset()
        torch.manual_seed(1)
        parts = torch.cat([m.decode(z[:, :, i:i + 1]) for i in range(z.shape[2])], dim=2)
        m.reset()
        assert torch.allclose(whole, parts, atol=1e-4), (whole - parts).abs().max()
        z8 = z[:, :, :1].repeat(8, 1, 1)
        for _ in range(20):
            m.decode(z8)
        t0 = time.perf_counter()
        for _ in range(200):
            m.decode(z8)
        per = (time.perf_counter() - t0) / 200
        m.reset()
    torch.set_num_threads(threads)
    return per


def main():
    fixed_hash_seed()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default="build/instruments")
    ap.add_argument("-o", "--output", default="models/instruments.ts")
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    model = InstrumentAutoencoder()
    t0 = time.monotonic()
    items, names = load_corpus(a.corpus, model)
    print("train_instrument_model.py: %d notes of %s; features in %.0f s"
          % (len(items), ", ".join(names), time.monotonic() - t0), flush=True)
    classifier = nn.Linear(TIMBRE, len(names))
    params = trainable(model) + list(classifier.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, a.steps // 5), gamma=0.5)
    t0 = time.monotonic()
    for step in range(1, a.steps + 1):
        audio, z0, z1, lm, label = make_batch(items, rng)
        phase0 = torch.from_numpy(rng.random((BATCH, 1)))
        y, timbre = reconstruct(model, z0, z1, lm, phase0)
        spec = spectral_loss(y, audio)
        cls = F.cross_entropy(classifier(timbre.mean(dim=2)), label)
        loss = spec + CLASSIFIER_WEIGHT * cls
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == a.steps:
            print("step %d/%d, %.0f s, spectral loss %.4f, classifier %.3f"
                  % (step, a.steps, time.monotonic() - t0, spec.item(), cls.item()), flush=True)
    model.eval()
    model.reset()
    torch.jit.script(model).save(a.output)
    per = verify_export(a.output, items)
    print("wrote %s after %d steps (%.0f s of training); streaming decode verified; 8 voices decode in "
          "%.2f ms a %.1f ms frame (%.1f%% of real time, one torch thread)"
          % (a.output, a.steps, time.monotonic() - t0, per * 1e3, 1e3 * HOP / SR, 100 * per * SR / HOP))


if __name__ == "__main__":
    main()
