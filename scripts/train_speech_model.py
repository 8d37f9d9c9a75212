#!/usr/bin/python3
"""Trains models/speech.ts: a small neural autoencoder for the speech corpus
of scripts/make_corpus.sh, exported with the nn~ / RAVE conventions.

  /usr/bin/python3 scripts/train_speech_model.py [CORPUS_DIR] [-o models/speech.ts] [--seconds 150]
  /usr/bin/python3 scripts/train_speech_model.py --weights models/speech.ts -o models/speech.ts
      (re-export the trained weights, e.g. after a change to the streaming state)

22.05 kHz mono, ratio 256 (one latent frame = 11.6 ms), 8 latents.
- encode (B,1,N) -> (B,8,N//256): a learned analysis frame of 512 samples every 256
  (a strided convolution), then two pointwise layers.
- decode (B,8,T) -> (B,1,T*256): two pointwise layers, then a learned synthesis frame of 512
  samples overlap-added every 256 (a transposed convolution). Streaming: the overlapping tail
  of each call is kept in a buffer and added to the next call's start, so decoding frame by
  frame gives the same audio as decoding all at once, without clicks at call boundaries. The
  tail is kept per batch row, for up to 32 streams (RAVE's pad[:batch]): voices come and go
  without disturbing the others.
Loss: multi-resolution STFT magnitudes (linear and log) plus a little waveform L1. Adam.
Training stops after --seconds of wall time (default 150 s on one thread: "minutes"), with
fixed seeds; the file is then checked from the outside like terraind's loader sees it.
"""
import argparse
import glob
import os
import sys
import time
import wave
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_tilde_conventions import NNTildeModule, check_model, fixed_hash_seed, labels  # noqa: E402

SR, RATIO, LATENTS, WIDTH = 22050, 256, 8, 128
MAX_ROWS = 32  # streams decoded at once, each with its own overlap-add tail (RAVE's pad[:batch])


class SpeechAutoencoder(NNTildeModule):
    def __init__(self):
        super().__init__(SR)
        self.register_method("encode", 1, 1, LATENTS, RATIO, ["audio"], labels("z", LATENTS))
        self.register_method("decode", LATENTS, RATIO, 1, 1, labels("z", LATENTS), ["audio"])
        self.register_method("forward", 1, 1, 1, 1, ["audio"], ["audio"])
        self.analysis = nn.Conv1d(1, WIDTH, 2 * RATIO, stride=RATIO)
        self.enc = nn.Sequential(nn.LeakyReLU(0.2), nn.Conv1d(WIDTH, WIDTH, 1), nn.LeakyReLU(0.2),
                                 nn.Conv1d(WIDTH, LATENTS, 1))
        self.dec = nn.Sequential(nn.Conv1d(LATENTS, WIDTH, 1), nn.LeakyReLU(0.2), nn.Conv1d(WIDTH, WIDTH, 1),
                                 nn.LeakyReLU(0.2))
        # No bias: overlap-added frames would add it twice where they overlap.
        self.synthesis = nn.ConvTranspose1d(WIDTH, 1, 2 * RATIO, stride=RATIO, bias=False)
        self.register_buffer("tail", torch.zeros(MAX_ROWS, 1, RATIO))
        self.ratio = RATIO

    def encode_frames(self, x: torch.Tensor) -> torch.Tensor:
        frames = x.shape[2] // self.ratio
        x = torch.nn.functional.pad(x[:, :, :frames * self.ratio], (self.ratio, 0))
        return self.enc(self.analysis(x))[:, :, :frames]

    def decode_full(self, z: torch.Tensor) -> torch.Tensor:
        """All T*256 + 256 samples, the last 256 being the tail for the next call."""
        return self.synthesis(self.dec(z))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode_frames(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        y = self.decode_full(z)
        b = y.shape[0]
        n = z.shape[2] * self.ratio
        out = y[:, :, :n].clone()
        out[:, :, :self.ratio] += self.tail[:b]
        self.tail[:b] = y[:, :, n:]
        return out

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def load_corpus(folder):
    clips = []
    for path in sorted(glob.glob(os.path.join(folder, "*.wav"))):
        w = wave.open(path)
        assert w.getframerate() == SR and w.getnchannels() == 1, path
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
        clips.append(x)
    if not clips:
        sys.exit("train_speech_model.py: no WAV files in %s (run scripts/make_corpus.sh)" % folder)
    return clips


def stft_loss(a, b):
    loss = 0.0
    for n in (256, 512, 1024, 2048):
        win = torch.hann_window(n)
        A = torch.stft(a, n, n // 4, window=win, return_complex=True).abs()
        B = torch.stft(b, n, n // 4, window=win, return_complex=True).abs()
        loss = loss + (A - B).abs().mean() + (torch.log(A + 1e-5) - torch.log(B + 1e-5)).abs().mean()
    return loss


def batch(clips, rng, size=8, length=RATIO * 64):
    out = np.zeros((size, 1, length), dtype=np.float32)
    for i in range(size):
        c = clips[rng.integers(len(clips))]
        start = rng.integers(max(1, len(c) - length))
        seg = c[start:start + length]
        out[i, 0, :len(seg)] = seg
    return torch.from_numpy(out)


def main():
    fixed_hash_seed()
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="build/corpus")
    ap.add_argument("-o", "--output", default="models/speech.ts")
    ap.add_argument("--seconds", type=float, default=150)
    ap.add_argument("--weights", help="re-export the weights of an existing speech model (no training)")
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    clips = None if a.weights else load_corpus(a.corpus)
    model = SpeechAutoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    t0, step = time.monotonic(), 0
    loss = torch.zeros(())
    if a.weights:  # the same network from a file, its state (the tail) left fresh
        weights = {k: v for k, v in torch.jit.load(a.weights).state_dict().items() if k != "tail"}
        model.load_state_dict(weights, strict=False)
        a.seconds = 0
    while time.monotonic() - t0 < a.seconds:
        x = batch(clips, rng)
        y = model.decode_full(model.encode_frames(x))[:, :, :x.shape[2]]
        loss = stft_loss(y.squeeze(1), x.squeeze(1)) + 0.1 * (y - x).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            print("step %d, %.0f s, loss %.4f" % (step, time.monotonic() - t0, loss.item()), flush=True)
    model.eval()
    scripted = torch.jit.script(model)
    scripted.save(a.output)
    m = check_model(a.output, SR, {"encode": [1, 1, LATENTS, RATIO], "decode": [LATENTS, RATIO, 1, 1],
                                   "forward": [1, 1, 1, 1]})
    # Streaming check: frame by frame equals all at once.
    with torch.no_grad():
        x = batch(clips, np.random.default_rng(1), 1) if clips else 0.1 * torch.randn(1, 1, RATIO * 64)
        z = m.encode(x)
        m.tail.zero_()
        whole = m.decode(z)
        m.tail.zero_()
        parts = torch.cat([m.decode(z[:, :, i:i + 1]) for i in range(z.shape[2])], dim=2)
        m.tail.zero_()
        assert torch.allclose(whole, parts, atol=1e-5), (whole - parts).abs().max()
    print("wrote %s after %d steps (%.0f s), final loss %.4f; streaming decode verified"
          % (a.output, step, time.monotonic() - t0, loss.item()))


if __name__ == "__main__":
    main()
