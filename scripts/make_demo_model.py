#!/usr/bin/python3
"""Build models/demo.ts: an ANALYTIC (untrained) streaming autoencoder in nn~/RAVE conventions.

Why: terraind needs a model it can ship in the repository (small, no third-party weights, no
licence questions) whose latents MEAN something audible, so a demo terrain sounds like a landscape
and tests can check that different latents give different sound. A real RAVE model is tens of MB
and its latents are arbitrary; this one is a few kB of TorchScript code whose four latents drive a
harmonic-plus-noise synthesiser, and whose encoder estimates the same four features from audio.

Model: 48 kHz, mono, ratio 512 (one latent frame per 512 samples), 4 latents, each roughly in
[-3, 3] like RAVE latents (clamped inside the model):

  z0 pitch       f0 = 220 * 2**z0 Hz, z0 clamped to [-2, 2]  (55 .. 880 Hz)
  z1 loudness    RMS level in dBFS = -18 + 6*z1, z1 clamped to [-3, 2]  (-36 .. -6 dBFS RMS);
                 a final soft limiter 0.708*tanh(y/0.708) keeps every peak below -3 dBFS
  z2 brightness  harmonic amplitudes a_k ~ k**-p, p = 2 - 0.75*z2 clamped to [0.5, 4]; z2 (clamped
                 to [-3, 3]) also moves the noise lowpass cutoff from 375 Hz (z2=-3) through
                 1.5 kHz (-1) and 6 kHz (+1) to white noise (+3)
  z3 noisiness   mix = sigmoid(1.5*z3); output = (1-mix)*harmonic + mix*noise, divided by
                 sqrt((1-mix)**2 + mix**2) so the RMS level does not dip in the middle of the mix

Methods (each takes and returns one (batch, channels, time) float tensor):

  decode  (B, 4, T) -> (B, 1, T*512)   streaming synthesiser
  encode  (B, 1, N) -> (B, 4, N//512)  feature estimator (stateless; edges zero-padded)
  forward (B, 1, N) -> (B, 1, N//512*512)  decode(encode(x))

Streaming: decode keeps its state in registered buffers (previous frame's latents, oscillator
phase, the last 254 white-noise samples feeding the FIR noise filters). Each parameter is
interpolated linearly per sample from the previous frame's value to the current one (no zipper
noise), and phase/filter state carry across calls, so consecutive calls give continuous audio.
The state is kept per batch row for up to MAX_ROWS rows, as RAVE's cached convolutions keep
theirs (a buffer of 64 rows used as pad[:batch]): a call of batch B uses and updates rows 0..B-1
and leaves the others as they were, so voices can come and go (the batch grows and shrinks)
without disturbing the rows that keep playing. A row's first call fades in over 128 samples (no
click at start); a row used again later continues from its previous state (the caller fades it
in, as terraind's engine does). Non-finite latents are mapped
into range so they cannot poison the state. Noise comes from torch's global generator, so
torch.manual_seed makes decode repeatable.

Everything is vectorised (cumsum for the phase, conv1d for the noise filters): one frame (T=1)
decodes in a fraction of a millisecond on one thread.

Encoder: per frame, a 2048-sample Hann window centred on the frame (zero-padded at the edges of
the call, with the padding excluded from every normalisation):
  pitch       subharmonic summation (Hermes 1988) on the spectrum's peaks picks the octave, then
              the first four harmonics' peaks are interpolated (Gaussian fit on log magnitude)
              and averaged; a 3-frame median inside one call removes isolated octave errors.
              (Plain "first autocorrelation peak" picking, as first planned, made octave errors
              whenever the noise part was as loud as the harmonic part.)
  loudness    Hann-weighted RMS, after undoing the decoder's soft limiter;
  noisiness   the normalised autocorrelation (Boersma 1993) at the pitch period = the harmonic
              share of the power H, inverted through the mix law above;
  brightness  centroid of the harmonic peaks in harmonic numbers, inverted through the k**-p law,
              blended (by H) with the whole-spectrum centroid inverted through the noise filters.
encode(decode(z)) for a constant mid-range z (z0, z1 in [-1.5, 1.5], z2 in [-1.5, 1.5]) gives back
z0 within 0.1 and z1 within 0.5 in every frame when z3 <= -1 (edge frames included), and in every
interior frame at z3 = 0 (equal noise and harmonic power). z2 and z3 round-trip roughly: the
harmonic brightness saturates at z2 = 2 (p = 0.5), z3 below about -1.5 all reads as "pure tone",
and very noisy frames (z3 > 1) read back low.

Run:  /usr/bin/python3 scripts/make_demo_model.py [OUT]   (default models/demo.ts)
It is deterministic (no training, no randomness in the saved file) and ends with a self-check.
"""

import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_tilde_conventions import NNTildeModule, check_model, fixed_hash_seed  # noqa: E402

SR = 48000
HOP = 512
NUM_HARMONICS = 32
MAX_ROWS = 32                # streams decoded at once (terraind's MODEL_MAX_ROWS)
FIR_TAPS = 255               # noise lowpass kernels (odd, linear phase)
NOISE_CUTOFFS = [375.0, 1500.0, 6000.0]   # plus a 4th "kernel" that passes white noise
WIN = 2048                   # encoder analysis window
FFT_AC = 4096                # autocorrelation FFT size (>= WIN + max lag)
FFT_SPEC = 8192              # zero-padded spectrum for harmonic peak picking
F0_MIN = 55.0
F0_MAX = 880.0
LIMIT = 10.0 ** (-3.0 / 20.0)   # soft limiter ceiling: -3 dBFS
SHS_HARMONICS = 10           # subharmonic summation (encoder pitch): harmonics per candidate
SHS_DECAY = 0.5             # and their weight decay (Hermes 1988)
FADE_LO = 20000.0            # harmonics fade out between 20 kHz and Nyquist
LABELS = ["pitch", "loudness", "brightness", "noisiness"]


def lowpass_kernel(cutoff: float, taps: int) -> np.ndarray:
    """Blackman-windowed sinc lowpass, scaled to unit energy (white noise in -> unit RMS out)."""
    n = np.arange(taps) - (taps - 1) / 2.0
    h = np.sinc(2.0 * cutoff / SR * n) * np.blackman(taps)
    return h / np.sqrt(np.sum(h * h))


def noise_kernels() -> np.ndarray:
    ks = [lowpass_kernel(c, FIR_TAPS) for c in NOISE_CUTOFFS]
    delta = np.zeros(FIR_TAPS)
    delta[(FIR_TAPS - 1) // 2] = 1.0
    ks.append(delta)
    return np.stack(ks)  # (4, taps)


def noise_weights_np(z2: np.ndarray) -> np.ndarray:
    """Crossfade weights over the 4 noise kernels (same law as the TorchScript code)."""
    u = np.clip((z2 + 3.0) / 2.0, 0.0, 3.0)
    return np.maximum(1.0 - np.abs(u[..., None] - np.arange(4.0)), 0.0)


def noise_centroid_table(kernels: np.ndarray, z2_grid: np.ndarray) -> np.ndarray:
    """Power-spectrum centroid (Hz) of the blended noise filter for each z2 in the grid."""
    w = noise_weights_np(z2_grid)                      # (G, 4)
    blended = w @ kernels                              # (G, taps)
    spec = np.abs(np.fft.rfft(blended, n=FFT_SPEC, axis=1)) ** 2
    freqs = np.fft.rfftfreq(FFT_SPEC, 1.0 / SR)
    return (spec * freqs).sum(1) / spec.sum(1)


class DemoSynth(NNTildeModule):
    __constants__ = ["hop", "sr_f", "num_harmonics", "fir_taps", "win_len", "fft_ac", "fft_spec",
                     "limit", "fade_lo", "f0_min", "f0_max"]

    def __init__(self):
        super().__init__(SR)
        self.hop = HOP
        self.sr_f = float(SR)
        self.num_harmonics = NUM_HARMONICS
        self.fir_taps = FIR_TAPS
        self.win_len = WIN
        self.fft_ac = FFT_AC
        self.fft_spec = FFT_SPEC
        self.limit = LIMIT
        self.fade_lo = FADE_LO
        self.f0_min = F0_MIN
        self.f0_max = F0_MAX
        self.register_method("encode", 1, 1, 4, HOP, ["audio"], LABELS)
        self.register_method("decode", 4, HOP, 1, 1, LABELS, ["audio"])
        self.register_method("forward", 1, 1, 1, 1, ["audio"], ["audio"])

        # --- constants (buffers, so they travel with the file) ---
        self.register_buffer("z_lo", torch.tensor([-2.0, -3.0, -3.0, -3.0]).view(1, 4, 1))
        self.register_buffer("z_hi", torch.tensor([2.0, 2.0, 3.0, 3.0]).view(1, 4, 1))
        self.register_buffer("ramp", torch.arange(1, HOP + 1, dtype=torch.float32) / HOP)
        k = torch.arange(1, NUM_HARMONICS + 1, dtype=torch.float32)
        self.register_buffer("harm_k", k.view(1, NUM_HARMONICS, 1))
        self.register_buffer("harm_logk", torch.log(k).view(1, NUM_HARMONICS, 1))
        # Schroeder phases keep the crest factor of the harmonic sum low (~1.4..2.4).
        ph = -math.pi * k * (k - 1.0) / NUM_HARMONICS
        self.register_buffer("harm_phase",
                             torch.remainder(ph, 2 * math.pi).view(1, NUM_HARMONICS, 1))
        kern = noise_kernels()
        self.register_buffer("noise_kernels", torch.tensor(kern, dtype=torch.float32).unsqueeze(1))
        self.register_buffer("noise_gram", torch.tensor(kern @ kern.T, dtype=torch.float32))
        self.register_buffer("fade_in", 0.5 - 0.5 * torch.cos(
            math.pi * torch.arange(1, 129, dtype=torch.float32) / 128.0))
        self.register_buffer("four", torch.arange(4, dtype=torch.float32).view(1, 4, 1))

        # encoder constants
        self.register_buffer("hann", torch.hann_window(WIN, periodic=False))
        # subharmonic summation: candidate f0s 1/192 octave apart, SHS_HARMONICS harmonics each
        cand_f0 = F0_MIN * 2.0 ** (np.arange(int(192 * math.log2(F0_MAX / F0_MIN)) + 1) / 192.0)
        kk = np.arange(1, SHS_HARMONICS + 1)
        self.register_buffer("shs_bins", torch.tensor(
            np.round(np.outer(cand_f0, kk) * FFT_SPEC / SR), dtype=torch.int64))
        self.register_buffer("shs_weight", torch.tensor(SHS_DECAY ** (kk - 1.0),
                                                        dtype=torch.float32))
        self.register_buffer("shs_f0", torch.tensor(cand_f0, dtype=torch.float32))
        self.register_buffer("refine_k", torch.arange(1.0, 5.0).view(1, 1, 4))
        self.register_buffer("search", torch.linspace(-1.0, 1.0, 21).view(1, 1, 1, -1))
        self.register_buffer("p_grid", torch.linspace(0.5, 4.0, 141))
        z2g = np.linspace(-3.0, 3.0, 121)
        self.register_buffer("nz_z2", torch.tensor(z2g, dtype=torch.float32))
        self.register_buffer("nz_logc", torch.tensor(np.log(noise_centroid_table(kern, z2g)),
                                                     dtype=torch.float32))
        self.register_buffer("spec_freqs", torch.arange(FFT_SPEC // 2 + 1, dtype=torch.float32)
                             * (SR / FFT_SPEC))
        self.register_buffer("pick", torch.arange(-2, 3).view(1, 1, 1, 5))

        # --- streaming state of decode, one row per stream (RAVE's pad[:batch]) ---
        self.max_rows = MAX_ROWS
        self.register_buffer("prev_z", torch.zeros(MAX_ROWS, 4))
        self.register_buffer("phase", torch.zeros(MAX_ROWS, 1, dtype=torch.float64))
        self.register_buffer("noise_tail", torch.zeros(MAX_ROWS, FIR_TAPS - 1))
        self.register_buffer("started", torch.zeros(MAX_ROWS, dtype=torch.bool))

    # ------------------------------------------------------------------ decode
    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        b = z.shape[0]
        t = z.shape[2]
        if t == 0:
            return torch.zeros(b, 1, 0)
        # NaN/inf would poison the phase/filter state for good: map them into range first
        z = torch.nan_to_num(z.float(), nan=0.0, posinf=10.0, neginf=-10.0)
        z = torch.minimum(torch.maximum(z, self.z_lo), self.z_hi)
        if b > self.max_rows:
            raise RuntimeError("decode takes at most 32 rows (streams) at once")
        fresh = torch.logical_not(self.started[:b])                        # rows never played
        if bool(fresh.any()):
            f = fresh.view(b, 1)
            self.prev_z[:b] = torch.where(f, z[:, :, 0], self.prev_z[:b])
            self.phase[:b] = torch.where(f, torch.zeros_like(self.phase[:b]), self.phase[:b])
            self.noise_tail[:b] = torch.where(f, torch.zeros_like(self.noise_tail[:b]), self.noise_tail[:b])
            self.started[:b] = True
        n = t * self.hop

        # per-sample latents: linear from the previous frame's value to this frame's value
        v = torch.cat([self.prev_z[:b].unsqueeze(2), z], dim=2)           # (B, 4, T+1)
        a = v[:, :, :-1].unsqueeze(3)
        p = (a + (v[:, :, 1:].unsqueeze(3) - a) * self.ramp).reshape(b, 4, n)
        self.prev_z[:b] = z[:, :, -1]
        z0 = p[:, 0:1]
        z1 = p[:, 1:2]
        z2 = p[:, 2:3]
        z3 = p[:, 3:4]

        # harmonic part: phase by cumulative sum (float64 so long calls stay exact)
        f0 = 220.0 * torch.exp2(z0)                                        # (B, 1, N)
        cyc = self.phase[:b].unsqueeze(2) + torch.cumsum(f0.double() * (1.0 / self.sr_f), dim=2)
        cyc = cyc - torch.floor(cyc)
        self.phase[:b] = cyc[:, :, -1]
        ph = cyc.float()
        kf = self.harm_k * f0                                              # (B, K, N)
        expo = torch.clamp(2.0 - 0.75 * z2, 0.5, 4.0)
        amp = torch.exp(-expo * self.harm_logk)
        amp = amp * torch.clamp((0.5 * self.sr_f - kf) / (0.5 * self.sr_f - self.fade_lo), 0.0, 1.0)
        amp = amp / torch.sqrt(0.5 * (amp * amp).sum(1, keepdim=True) + 1e-12)   # unit RMS
        arg = 2.0 * math.pi * torch.frac(self.harm_k * ph) + self.harm_phase
        harm = (amp * torch.sin(arg)).sum(1, keepdim=True)                 # (B, 1, N)

        # noise part: white noise through 4 FIR filters, crossfaded per sample by brightness
        white = torch.randn(b, n)
        x = torch.cat([self.noise_tail[:b], white], dim=1)
        self.noise_tail[:b] = x[:, n:]
        bands = F.conv1d(x.unsqueeze(1), self.noise_kernels)               # (B, 4, N)
        u = torch.clamp((z2 + 3.0) * 0.5, 0.0, 3.0)
        w = torch.relu(1.0 - torch.abs(u - self.four))                     # (B, 4, N)
        energy = (w * torch.einsum("ij,bjn->bin", self.noise_gram, w)).sum(1, keepdim=True)
        noise = (w * bands).sum(1, keepdim=True) / torch.sqrt(energy + 1e-12)

        mix = torch.sigmoid(1.5 * z3)
        norm = torch.sqrt((1.0 - mix) ** 2 + mix * mix)
        level = torch.pow(10.0, (-18.0 + 6.0 * z1) / 20.0)
        y = level * ((1.0 - mix) * harm + mix * noise) / norm
        y = self.limit * torch.tanh(y / self.limit)
        if bool(fresh.any()):   # click-free start of a row: 128-sample raised-cosine fade-in
            nf = min(n, self.fade_in.shape[0])
            faded = torch.cat([y[:, :, :nf] * self.fade_in[:nf], y[:, :, nf:]], dim=2)
            y = torch.where(fresh.view(b, 1, 1), faded, y)
        return y

    # ------------------------------------------------------------------ encode
    def spectral_peaks(self, mag: torch.Tensor, centre: torch.Tensor, width: torch.Tensor):
        """Highest bin of mag (B, T, S) within centre +- width (B, T, P, in bins), refined by
        Gaussian interpolation; returns (position in bins, power), both (B, T, P)."""
        b = mag.shape[0]
        t = mag.shape[1]
        s = mag.shape[2]
        p = centre.shape[2]
        srch = torch.round(centre.unsqueeze(3) + width.unsqueeze(3) * self.search)
        srch = srch.long().clamp(1, s - 2)                                 # (B, T, P, L)
        magp = mag.unsqueeze(2).expand(b, t, p, s)
        near = torch.gather(magp, 3, srch)
        pbin = torch.gather(srch, 3, torch.argmax(near, dim=3, keepdim=True))  # (B, T, P, 1)
        l0 = torch.log(torch.gather(magp, 3, pbin) + 1e-12)
        lm = torch.log(torch.gather(magp, 3, pbin - 1) + 1e-12)
        lp = torch.log(torch.gather(magp, 3, pbin + 1) + 1e-12)
        den = lm - 2.0 * l0 + lp
        delta = torch.where(den < -1e-9, 0.5 * (lm - lp) / den, torch.zeros_like(den))
        pos = (pbin.float() + delta.clamp(-0.5, 0.5)).squeeze(3)
        return pos, torch.exp(2.0 * l0.squeeze(3))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        t = x.shape[2] // self.hop
        if t == 0:
            return torch.zeros(b, 4, 0)
        sig = x[:, 0, : t * self.hop].float()
        # undo the decoder's soft limiter (identity for quiet audio)
        sig = self.limit * torch.atanh(torch.clamp(sig / self.limit, -0.9999, 0.9999))
        left = self.win_len // 2 - self.hop // 2
        right = self.win_len - self.hop - left
        sig = F.pad(sig, [left, right])
        valid = F.pad(torch.ones(1, t * self.hop), [left, right])
        raw = sig.unfold(1, self.win_len, self.hop)[:, :t]                 # (B, T, WIN)
        frames = raw * self.hann
        wv = valid.unfold(1, self.win_len, self.hop)[:, :t] * self.hann    # (1, T, WIN)

        # loudness: Hann-weighted RMS over the valid (unpadded) part
        ms = (raw * raw * self.hann).sum(2) / wv.sum(2)
        rms = torch.sqrt(ms + 1e-12)
        z1 = (20.0 * torch.log10(rms + 1e-9) + 18.0) / 6.0

        # pitch, step 1: subharmonic summation (Hermes 1988) on the spectrum's peaks picks the
        # octave robustly, even with as much noise as harmonic power
        mag = torch.fft.rfft(frames, n=self.fft_spec, dim=2).abs()         # (B, T, S)
        s = mag.shape[2]
        comp = (mag / (mag.amax(2, keepdim=True) + 1e-12)) ** 2
        comp = torch.relu(comp - torch.median(comp, dim=2, keepdim=True)[0])   # drop the floor
        # keep spectral peaks only (so one broad peak cannot feed several dense harmonics of a
        # low candidate), then widen each to +-2 bins (+-12 Hz) of tolerance
        pk = F.max_pool1d(comp.reshape(b * t, 1, s), 3, 1, 1).reshape(b, t, s)
        comp = torch.where(comp >= pk, comp, torch.zeros_like(comp))
        comp = F.max_pool1d(comp.reshape(b * t, 1, s), 5, 1, 2).reshape(b, t, s)
        nc = self.shs_bins.shape[0]
        sub = torch.gather(comp.unsqueeze(2).expand(b, t, nc, s), 3,
                           self.shs_bins.unsqueeze(0).unsqueeze(0).expand(b, t, nc, -1))
        cand = torch.argmax((sub * self.shs_weight).sum(3), dim=2)        # (B, T)
        # step 2: the fundamental's spectral peak near the candidate (the candidate's grid and
        # tolerance leave it a few bins off), then the first 4 harmonics' peaks near k*f0, each
        # refined by Gaussian interpolation on log magnitude, averaged weighted by power
        binw = self.sr_f / self.fft_spec
        c1 = (self.shs_f0[cand] / binw).unsqueeze(2)                       # (B, T, 1) in bins
        f1, _ = self.spectral_peaks(mag, c1, 0.03 * c1 + 3.0)
        kc = f1 * self.refine_k                                            # (B, T, 4)
        fk, wk = self.spectral_peaks(mag, kc, 0.01 * kc + 1.5)
        f0 = ((fk / self.refine_k) * wk).sum(2) / (wk.sum(2) + 1e-20) * binw  # (B, T)
        f0 = f0.clamp(0.5 * self.f0_min, 2.0 * self.f0_max)
        if t >= 3:  # 3-frame median (within this call) removes isolated octave errors
            f0p = F.pad(f0.unsqueeze(1), [1, 1], mode="replicate").squeeze(1)
            f0 = torch.stack([f0p[:, :-2], f0p[:, 1:-1], f0p[:, 2:]], dim=2).median(2)[0]
        z0 = torch.log2(f0 / 220.0)
        # harmonicity: normalised autocorrelation (Boersma 1993) at the period, i.e. the
        # harmonic part's share of the power
        spec = torch.fft.rfft(frames, n=self.fft_ac, dim=2)
        ac = torch.fft.irfft(spec.real ** 2 + spec.imag ** 2, n=self.fft_ac, dim=2)
        wspec = torch.fft.rfft(wv, n=self.fft_ac, dim=2)
        wac = torch.fft.irfft(wspec.real ** 2 + wspec.imag ** 2, n=self.fft_ac, dim=2)
        r = (ac / (ac[:, :, 0:1] + 1e-12)) / (wac / wac[:, :, 0:1]).clamp_min(1e-3)
        lag = self.sr_f / f0
        li = torch.floor(lag).long().clamp(1, self.fft_ac // 2 - 2).unsqueeze(2)
        fr = (lag - li.squeeze(2).float()).clamp(0.0, 1.0)
        harmonicity = ((1.0 - fr) * torch.gather(r, 2, li).squeeze(2)
                       + fr * torch.gather(r, 2, li + 1).squeeze(2)).clamp(1e-4, 1.0 - 1e-6)

        # noisiness: harmonic power fraction H = (1-m)^2 / ((1-m)^2 + m^2)
        q = torch.sqrt((1.0 - harmonicity) / harmonicity)
        z3 = torch.log(q) / 1.5

        # brightness: centroid of the harmonic peaks (in harmonic numbers) -> exponent p
        kf = f0.unsqueeze(2) * self.harm_k.view(1, 1, self.num_harmonics)       # (B, T, K)
        bins = torch.round(kf / binw).long().unsqueeze(3) + self.pick      # (B, T, K, 5)
        bins = bins.clamp(0, self.fft_spec // 2)
        s = mag.shape[2]
        got = torch.gather(mag.unsqueeze(2).expand(b, t, self.num_harmonics, s), 3, bins)
        hp = got.amax(3) ** 2                                              # (B, T, K)
        hmask = (kf < self.fade_lo).float()
        kk = self.harm_k.view(1, 1, self.num_harmonics)
        cent = ((hp * hmask * kk).sum(2) / ((hp * hmask).sum(2) + 1e-12)).clamp_min(1.0)
        # theoretical centroid for each candidate p: sum k^(1-2p) / sum k^(-2p)
        pw = torch.exp(-2.0 * self.p_grid.view(1, 1, -1, 1) * self.harm_logk.view(1, 1, 1, -1))
        hm = hmask.unsqueeze(2)
        ctheo = (pw * hm * kk.unsqueeze(2)).sum(3) / ((pw * hm).sum(3) + 1e-12)   # (B, T, G)
        j = torch.argmin(torch.abs(torch.log(ctheo) - torch.log(cent).unsqueeze(2)), dim=2)
        z2h = (2.0 - self.p_grid[j]) / 0.75
        # noise brightness: whole-spectrum power centroid in Hz against the filter table
        pspec = mag * mag
        cn = (pspec * self.spec_freqs).sum(2) / (pspec.sum(2) + 1e-12)
        jn = torch.argmin(torch.abs(self.nz_logc.view(1, 1, -1)
                                    - torch.log(cn + 1e-6).unsqueeze(2)), dim=2)
        z2n = self.nz_z2[jn]
        z2 = harmonicity * z2h + (1.0 - harmonicity) * z2n

        out = torch.stack([z0, z1, z2, z3], dim=1)                         # (B, 4, T)
        return torch.clamp(out, -3.0, 3.0)

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


# ---------------------------------------------------------------------- self-check helpers
def spectral_stats(y: np.ndarray):
    """(centroid Hz, crude f0 Hz by autocorrelation) of a mono signal."""
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y)))) ** 2
    freqs = np.fft.rfftfreq(len(y), 1.0 / SR)
    centroid = float((spec * freqs).sum() / spec.sum())
    seg = y[:8192]
    ac = np.correlate(seg, seg, "full")[len(seg) - 1:]
    lo, hi = int(SR / F0_MAX), int(SR / F0_MIN)
    lag = lo + int(np.argmax(ac[lo:hi]))
    return centroid, SR / lag


def boundary_jumps(y: np.ndarray, hop: int):
    """Max |y[n]-y[n-1]| at call boundaries vs everywhere else."""
    d = np.abs(np.diff(y))
    at = np.zeros(len(d), bool)
    at[hop - 1::hop] = True
    return float(d[at].max()), float(d[~at].max())


def self_check(path: str) -> None:
    m = check_model(path, SR, {"encode": [1, 1, 4, HOP], "decode": [4, HOP, 1, 1],
                               "forward": [1, 1, 1, 1]})
    assert list(m.decode_input_labels) == LABELS and list(m.encode_output_labels) == LABELS
    torch.manual_seed(0)

    # different constant latents sound different (the last one is mostly noise: its "f0" is not
    # meaningful, its centroid follows the noise filter)
    for z in ([-1.0, 0.0, -1.5, -2.5], [1.0, 0.5, 1.5, -2.5], [0.0, 0.0, 0.0, 2.0]):
        m = torch.jit.load(path)
        y = m.decode(torch.tensor(z).view(1, 4, 1).repeat(1, 1, 40))[0, 0].numpy()
        c, f = spectral_stats(y[HOP:])
        rms_db = 20 * np.log10(np.sqrt(np.mean(y[HOP:] ** 2)))
        print("  z=%-24s f0~%6.1f Hz (expect %6.1f)  centroid %6.0f Hz  rms %5.1f dBFS  "
              "peak %5.2f" % (z, f, 220 * 2 ** z[0], c, rms_db, np.abs(y).max()))

    # continuity across call boundaries: a glide decoded one frame per call
    m = torch.jit.load(path)
    t = 200
    zs = torch.zeros(1, 4, t)
    ramp = torch.linspace(0, 1, t)
    zs[0, 0] = -1.5 + 3.0 * ramp
    zs[0, 1] = -1.0 + 2.5 * torch.sin(6 * ramp)
    zs[0, 2] = -2.5 + 4.5 * ramp
    zs[0, 3] = -2.0 + 1.5 * torch.sin(9 * ramp)
    ys = [m.decode(zs[:, :, i:i + 1])[0, 0] for i in range(t)]
    y = torch.cat(ys).numpy()
    at, inside = boundary_jumps(y[HOP:], HOP)
    print("  continuity (1 frame per call, glide): max jump at boundaries %.4f, inside frames "
          "%.4f" % (at, inside))
    assert at <= 1.5 * inside, "discontinuity at call boundaries"
    # same audio whether decoded frame by frame or in one call (same seed)
    torch.manual_seed(1)
    m1 = torch.jit.load(path)
    a = torch.cat([m1.decode(zs[:, :, i:i + 1]) for i in range(t)], 2)
    torch.manual_seed(1)
    m2 = torch.jit.load(path)
    b2 = m2.decode(zs)
    err = float((a - b2).abs().max())
    print("  frame-by-frame vs one call: max diff %.2e" % err)
    assert err < 1e-4
    assert float(a.abs().max()) < LIMIT

    # round trip: encode(decode(z)) ~ z for constant latents, every frame of a fresh instance
    # (edge frames included for the tonal z3 = -2 and -1; interior frames for z3 = 0, which has
    # as much noise power as harmonic power)
    for z3 in (-2.0, -1.0, 0.0):
        worst = np.zeros(4)
        mean_err = np.zeros(4)
        count = 0
        for z0 in (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5):
            for z1 in (-1.5, 0.0, 1.0):
                for z2 in (-1.5, 0.0, 1.5):
                    m = torch.jit.load(path)
                    want = np.array([z0, z1, z2, z3])
                    z = torch.tensor(want, dtype=torch.float32).view(1, 4, 1).repeat(1, 1, 16)
                    est = m.encode(m.decode(z))[0].numpy()
                    if z3 >= 0:     # noisy: edge frames (half-padded windows) are less reliable
                        est = est[:, 2:-2]
                    err = np.abs(est - want[:, None])
                    worst = np.maximum(worst, err.max(1))
                    mean_err += np.abs(est.mean(1) - want)
                    count += 1
        mean_err /= count
        print("  round trip encode(decode(z)), z3=%g: worst per-frame error pitch %.3f loudness "
              "%.3f | mean error brightness %.2f noisiness %.2f"
              % (z3, worst[0], worst[1], mean_err[2], mean_err[3]))
        assert worst[0] < 0.1 and worst[1] < 0.5, worst

    # out-of-range and non-finite latents are clamped, not propagated
    m = torch.jit.load(path)
    bad = torch.tensor([[float("nan")], [float("inf")], [-1e9], [5.0]]).view(1, 4, 1)
    yb = torch.cat([m.decode(bad), m.decode(torch.zeros(1, 4, 2))], 2)
    assert bool(torch.isfinite(yb).all()) and float(yb.abs().max()) < LIMIT

    # batch > 1 keeps separate state per row
    m = torch.jit.load(path)
    zb = torch.tensor([[-1.0, 0, 0, -2], [1.0, 0, 1, -2]]).view(2, 4, 1).repeat(1, 1, 8)
    yb = m.decode(zb)
    assert tuple(yb.shape) == (2, 1, 8 * HOP)
    eb = m.encode(yb)
    assert tuple(eb.shape) == (2, 4, 8)
    assert tuple(m.forward(torch.zeros(1, 1, 4 * HOP)).shape) == (1, 1, 4 * HOP)

    # timing: one frame per call, one thread
    torch.set_num_threads(1)
    m = torch.jit.load(path)
    z1f = torch.zeros(1, 4, 1)
    for _ in range(50):
        m.decode(z1f)
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        m.decode(z1f)
    dt = (time.perf_counter() - t0) / n
    print("  decode of one frame (T=1), 1 thread: %.3f ms (real time budget %.2f ms)"
          % (dt * 1e3, HOP / SR * 1e3))
    assert dt < 1e-3


def main():
    fixed_hash_seed()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "models", "demo.ts")
    torch.manual_seed(0)
    model = torch.jit.script(DemoSynth())
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    model.save(out)
    print("wrote %s (%d bytes)" % (out, os.path.getsize(out)))
    self_check(out)
    print("ok")


if __name__ == "__main__":
    main()
