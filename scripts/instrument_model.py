#!/usr/bin/python3
"""The instrument autoencoder of models/instruments.ts: a differentiable harmonic-plus-noise
synthesiser (DDSP, Engel et al. 2020) in the nn~ / RAVE conventions. Imported by
scripts/train_instrument_model.py (which trains and exports it) and
scripts/check_instrument_model.py (which measures it).

48 kHz mono, ratio 512 (one latent frame = 10.7 ms), 8 latents:

  z0 pitch       log2(f0 / 261.63 Hz): 0 is middle C, each unit an octave (f0 clamped to 30..4000 Hz)
  z1 loudness    (RMS level in dBFS + 40) / 10: 0 is -40 dBFS, each unit 10 dB
  z2..z7         timbre: six dimensions learned from the corpus (what instrument, how bright, ...)

encode (B, 1, N) -> (B, 8, N//512). Frame i describes the sound around sample (i+1)*512, the end
of the frame's hop (the decoder reaches frame i's values there), from a 2048-sample window:
  pitch     YIN (de Cheveigne & Kawahara 2002) written in torch ops: the cumulative mean
            normalised difference function over lags 19..960 (2.5 kHz..50 Hz), the first dip under
            0.15 (else the deepest), parabolic refinement; frames without a dip, or quieter than
            -70 dBFS, take the pitch of the nearest frame that has one; a 3-frame median.
  loudness  plain RMS of the middle 1024 samples, in dB.
  timbre    a small learned network (a 5-frame convolution, two pointwise layers) over the frame's
            64-band log-mel spectrum, relative to its loudest band (so timbre is shape, not level).
encode is stateless (the corpus is encoded offline; the call's edges are zero-padded).

decode (B, 8, T) -> (B, 1, T*512), streaming:
  a per-frame MLP (8 -> 256 -> 256 -> 256) gives a harmonic level, the distribution of 128
  harmonics (those above 0.45*sr are left out and the rest renormalised, as DDSP does) and 48
  noise band magnitudes.
  harmonics: f0 moves linearly across the frame from the previous frame's to this frame's, and its
            phase accumulates (float64, per batch row, a buffer); the harmonic amplitudes move
            linearly too. Since every harmonic's amplitude is interpolated linearly, the sum of
            harmonics equals a crossfade from the previous frame's single-cycle wavetable to this
            frame's (each a 4096-point inverse FFT of the frame's 128 amplitudes, Schroeder phases),
            read at the accumulated phase with linear interpolation: the cost of additive
            synthesis without one sine per harmonic per sample.
  noise:    each frame a 1024-sample grain of noise shaped by the band magnitudes (an inverse FFT
            of the magnitudes with random phases), sine-windowed, overlap-added at 512 (the second half waits
            in a buffer for the next call): constant power across grains.
  State, per batch row for up to 32 rows (RAVE's pad[:batch]): the phase, the previous frame's f0
  and harmonic amplitudes, the noise tail, whether the row has played. A row's first call starts
  from its own first frame and fades in over 128 samples. Every state tensor is a registered buffer
  (terraind's sub-frame control snapshots and restores them); constants are non-trainable
  parameters, so a snapshot copies only the few kilobytes of real state. Noise comes from torch's
  global generator (seeded: repeatable renders). Non-finite latents are mapped into range.
"""

import math
from typing import List, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from nn_tilde_conventions import NNTildeModule

SR = 48000
HOP = 512
LATENTS = 8
TIMBRE = LATENTS - 2
WIN = 2048                 # encoder analysis window, centred on the end of the frame's hop
YIN_W = 1024               # YIN integration window; lags up to YIN_W
YIN_FFT = 4096
TAU_MIN = SR // 2500       # 2.5 kHz
TAU_MAX = SR // 50         # 50 Hz
YIN_THRESHOLD = 0.15
SILENT_DB = -70.0
N_MELS = 64
HARMONICS = 128
TABLE = 4096               # wavetable length (samples per cycle)
NOISE_BANDS = 48
GRAIN = 2 * HOP            # noise grain, overlap-added at HOP
HIDDEN = 256
MAX_ROWS = 32
FADE_IN = 128
F0_REF = 261.63            # middle C: z0 = 0
LABELS = ["pitch", "loudness", "timbre 1", "timbre 2", "timbre 3", "timbre 4", "timbre 5", "timbre 6"]


def mel_filterbank(n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """HTK-style triangular mel filters, (n_fft//2+1, n_mels)."""
    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    freqs = np.fft.rfftfreq(n_fft, 1.0 / SR)
    edges = hz(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    fb = np.zeros((len(freqs), n_mels))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (freqs - lo) / (mid - lo)
        down = (hi - freqs) / (hi - mid)
        fb[:, i] = np.maximum(0.0, np.minimum(up, down))
    return fb


def band_interpolation(bins: int, bands: int) -> np.ndarray:
    """(bands, bins): noise band magnitudes to FFT bins, bands evenly spaced on a mel scale,
    interpolated linearly between band centres (each bin's weights sum to 1)."""
    freqs = np.fft.rfftfreq(2 * (bins - 1), 1.0 / SR)
    mel = 2595.0 * np.log10(1.0 + freqs / 700.0)
    centres = np.linspace(0.0, mel[-1], bands)
    w = np.zeros((bands, bins))
    for j in range(bins):
        pos = np.interp(mel[j], centres, np.arange(bands))
        lo = int(min(math.floor(pos), bands - 2))
        frac = pos - lo
        w[lo, j] = 1.0 - frac
        w[lo + 1, j] = frac
    return w


def constant(value) -> nn.Parameter:
    """A constant that travels with the file but is not state: a non-trainable parameter, so
    terraind's sub-frame snapshot (every non-parameter tensor) does not copy it each frame."""
    return nn.Parameter(torch.as_tensor(value, dtype=torch.float32), requires_grad=False)


def exp_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """DDSP's positive output nonlinearity: 2 * sigmoid(x) ** ln(10) + 1e-7."""
    return 2.0 * torch.sigmoid(x) ** 2.302585092994046 + 1e-7


class InstrumentAutoencoder(NNTildeModule):
    __constants__ = ["hop", "sr_f", "win", "yin_w", "tau_min", "tau_max", "harmonics", "table",
                     "grain", "max_rows",
                     "yin_fft", "yin_threshold", "silent_db", "f0_ref", "fade_in_len"]

    def __init__(self):
        super().__init__(SR)
        self.hop = HOP
        self.sr_f = float(SR)
        self.win = WIN
        self.yin_w = YIN_W
        self.tau_min = TAU_MIN
        self.tau_max = TAU_MAX
        self.harmonics = HARMONICS
        self.table = TABLE
        self.grain = GRAIN
        self.max_rows = MAX_ROWS
        self.yin_fft = YIN_FFT
        self.yin_threshold = YIN_THRESHOLD
        self.silent_db = SILENT_DB
        self.f0_ref = F0_REF
        self.fade_in_len = FADE_IN
        self.register_method("encode", 1, 1, LATENTS, HOP, ["audio"], LABELS)
        self.register_method("decode", LATENTS, HOP, 1, 1, LABELS, ["audio"])
        self.register_method("forward", 1, 1, 1, 1, ["audio"], ["audio"])

        # encoder: constants and the learned timbre network
        self.hann = constant(np.hanning(WIN + 2)[1:-1])
        self.melfb = constant(mel_filterbank(WIN, N_MELS, 40.0, 16000.0))
        self.timbre_net = nn.Sequential(
            nn.Conv1d(N_MELS, 128, 5, padding=2), nn.LeakyReLU(0.2),
            nn.Conv1d(128, 128, 1), nn.LeakyReLU(0.2),
            nn.Conv1d(128, TIMBRE, 1))

        # decoder: the MLP and the synthesiser's constants
        self.mlp = nn.Sequential(
            nn.Linear(LATENTS, HIDDEN), nn.LeakyReLU(0.2),
            nn.Linear(HIDDEN, HIDDEN), nn.LeakyReLU(0.2),
            nn.Linear(HIDDEN, HIDDEN), nn.LeakyReLU(0.2),
            nn.Linear(HIDDEN, 1 + HARMONICS + NOISE_BANDS))
        k = np.arange(1, HARMONICS + 1, dtype=np.float64)
        self.harm_k = constant(k)
        phase = np.remainder(-math.pi * k * (k - 1.0) / HARMONICS, 2 * math.pi)  # Schroeder
        self.harm_re = constant(np.sin(phase))   # sin(2 pi k t + phase) as cos/sin parts of
        self.harm_im = constant(-np.cos(phase))  # an inverse FFT's bin k
        self.noise_interp = constant(band_interpolation(GRAIN // 2 + 1, NOISE_BANDS))
        self.grain_window = constant(np.sin(math.pi * (np.arange(GRAIN) + 0.5) / GRAIN))
        self.ramp = constant(np.arange(1, HOP + 1) / HOP)
        self.fade = constant(0.5 - 0.5 * np.cos(math.pi * np.arange(1, FADE_IN + 1) / FADE_IN))
        self.z_lo = constant(np.array([-3.1, -6.0] + [-8.0] * TIMBRE).reshape(1, LATENTS, 1))
        self.z_hi = constant(np.array([3.9, 4.0] + [8.0] * TIMBRE).reshape(1, LATENTS, 1))

        # streaming state of decode, one row per stream
        self.register_buffer("phase", torch.zeros(MAX_ROWS, 1, dtype=torch.float64))
        self.register_buffer("prev_f0", torch.zeros(MAX_ROWS, 1))
        self.register_buffer("prev_amp", torch.zeros(MAX_ROWS, HARMONICS))
        self.register_buffer("noise_tail", torch.zeros(MAX_ROWS, HOP))
        self.register_buffer("started", torch.zeros(MAX_ROWS, dtype=torch.bool))

    # ------------------------------------------------------------------ encode
    def analysis_frames(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, N) -> (B, T, WIN): frame i centred on sample (i+1)*HOP, zero-padded."""
        t = x.shape[2] // self.hop
        x = x[:, 0, :t * self.hop]
        x = F.pad(x, (self.win // 2 - self.hop, self.win // 2))
        return x.unfold(1, self.win, self.hop)

    def yin_f0(self, fr: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """f0 in Hz and whether a dip under the threshold was found, each (B, T)."""
        w = self.yin_w
        head = fr[:, :, :w]
        r = torch.fft.irfft(torch.conj(torch.fft.rfft(head, self.yin_fft)) * torch.fft.rfft(fr, self.yin_fft),
                            self.yin_fft)[:, :, :w + 1]
        cs = F.pad(torch.cumsum(fr * fr, dim=2), (1, 0))
        energy = cs[:, :, w:2 * w + 1] - cs[:, :, 0:w + 1]
        d = torch.clamp(cs[:, :, w:w + 1] + energy - 2.0 * r, min=0.0)
        tau = torch.arange(w + 1, dtype=fr.dtype)
        cm = torch.cumsum(d[:, :, 1:], dim=2)
        cmndf = torch.cat([torch.ones_like(d[:, :, :1]), d[:, :, 1:] * tau[1:] / (cm + 1e-12)], dim=2)
        lag = torch.arange(w + 1)
        in_range = (lag >= self.tau_min) & (lag <= self.tau_max)
        big = torch.full_like(cmndf, 1e9)
        c = torch.where(in_range, cmndf, big)
        below = c < self.yin_threshold
        voiced = below.any(dim=2)
        first = torch.argmax(below.to(torch.int32), dim=2, keepdim=True)
        # from the first crossing, the first lag where the curve turns upwards: the dip's bottom
        rising = torch.cat([c[:, :, 1:] > c[:, :, :-1], torch.ones_like(below[:, :, :1])], dim=2)
        bottom = torch.argmax((rising & (lag >= first)).to(torch.int32), dim=2, keepdim=True)
        deepest = torch.argmin(c, dim=2, keepdim=True)
        best = torch.where(voiced.unsqueeze(2), bottom, deepest)
        best = torch.clamp(best, 1, w - 1)
        a = torch.gather(cmndf, 2, best - 1)
        b = torch.gather(cmndf, 2, best)
        cc = torch.gather(cmndf, 2, best + 1)
        den = a - 2.0 * b + cc
        delta = torch.where(den.abs() > 1e-9, 0.5 * (a - cc) / den, torch.zeros_like(den))
        period = best.to(fr.dtype) + torch.clamp(delta, -1.0, 1.0)
        return (self.sr_f / period).squeeze(2), voiced

    def loudness_db(self, fr: torch.Tensor) -> torch.Tensor:
        mid = fr[:, :, self.win // 2 - self.yin_w // 2:self.win // 2 + self.yin_w // 2]
        return torch.clamp(10.0 * torch.log10((mid * mid).mean(dim=2) + 1e-10), -100.0, 0.0)

    def log_mel(self, fr: torch.Tensor) -> torch.Tensor:
        """(B, T, WIN) -> (B, N_MELS, T): log-mel power relative to the loudest band, floored 52 dB
        under it, scaled to [-1, 1]."""
        spec = torch.fft.rfft(fr * self.hann, self.win).abs() ** 2
        lm = torch.log(torch.matmul(spec, self.melfb) + 1e-10)
        lm = torch.clamp(lm - lm.max(dim=2, keepdim=True)[0], min=-12.0)
        return (lm.transpose(1, 2) + 6.0) / 6.0

    def fill_unvoiced(self, f0: torch.Tensor, voiced: torch.Tensor) -> torch.Tensor:
        """Frames without a pitch take the nearest earlier voiced frame's, else the next one's."""
        t = f0.shape[1]
        idx = torch.arange(t).unsqueeze(0).expand(f0.shape[0], t)
        before = torch.cummax(torch.where(voiced, idx, torch.full_like(idx, -1)), dim=1)[0]
        after = torch.flip(torch.cummin(torch.flip(torch.where(voiced, idx, torch.full_like(idx, t)), [1]),
                                        dim=1)[0], [1])
        src = torch.where(before >= 0, before, after)
        found = src < t
        got = torch.gather(f0, 1, torch.clamp(src, 0, t - 1))
        return torch.where(found, got, torch.full_like(f0, self.f0_ref))

    def median3(self, v: torch.Tensor) -> torch.Tensor:
        p = torch.cat([v[:, :1], v, v[:, -1:]], dim=1)
        return torch.stack([p[:, :-2], p[:, 1:-1], p[:, 2:]], dim=2).median(dim=2)[0]

    @torch.jit.export
    def features(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The encoder's fixed part: z0 (pitch), z1 (loudness), each (B, T), and the log-mel
        frames (B, N_MELS, T) the timbre network reads."""
        fr = self.analysis_frames(x.float())
        f0, voiced = self.yin_f0(fr)
        db = self.loudness_db(fr)
        voiced = voiced & (db > self.silent_db)
        f0 = self.fill_unvoiced(torch.clamp(f0, 30.0, 4000.0), voiced)
        z0 = self.median3(torch.log2(f0 / self.f0_ref))
        z1 = (db + 40.0) / 10.0
        return z0, z1, self.log_mel(fr)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        z0, z1, lm = self.features(x)
        return torch.cat([z0.unsqueeze(1), z1.unsqueeze(1), self.timbre_net(lm)], dim=1)

    # ------------------------------------------------------------------ decode
    def controls(self, z: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, 8, T) -> f0 (B, T), harmonic amplitudes (B, T, K), noise magnitudes (B, T, bands)."""
        out = self.mlp(z.transpose(1, 2))
        f0 = self.f0_ref * torch.exp2(z[:, 0])
        level = exp_sigmoid(out[:, :, :1])
        dist = exp_sigmoid(out[:, :, 1:1 + self.harmonics])
        audible = (self.harm_k * f0.unsqueeze(2) < 0.45 * self.sr_f).to(dist.dtype)
        dist = dist * audible
        amp = level * dist / (dist.sum(dim=2, keepdim=True) + 1e-7)
        noise = exp_sigmoid(out[:, :, 1 + self.harmonics:] - 5.0)
        return f0, amp, noise

    def wavetables(self, amp: torch.Tensor) -> torch.Tensor:
        """(B, T, K) harmonic amplitudes -> (B, T, TABLE) single cycles."""
        spec = torch.complex(amp * self.harm_re, amp * self.harm_im)
        spec = F.pad(spec, (1, self.table // 2 - self.harmonics))
        return torch.fft.irfft(spec, self.table) * (self.table / 2.0)

    def synthesize(self, f0: torch.Tensor, amp: torch.Tensor, noise: torch.Tensor, phase0: torch.Tensor,
                   f0_prev: torch.Tensor, amp_prev: torch.Tensor,
                   tail: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Audio (B, T*HOP) for T frames of controls, from the state before them (phase0 (B, 1)
        float64, f0_prev (B, 1), amp_prev (B, K), tail (B, HOP)); returns the audio, the phase
        after it and the noise tail after it."""
        b = f0.shape[0]
        t = f0.shape[1]
        n = t * self.hop
        f = torch.cat([f0_prev, f0], dim=1)                                   # (B, T+1)
        f_s = (f[:, :-1].unsqueeze(2) + (f[:, 1:] - f[:, :-1]).unsqueeze(2) * self.ramp).reshape(b, n)
        cyc = phase0 + torch.cumsum(f_s.double() / self.sr_f, dim=1)
        cyc = cyc - torch.floor(cyc)
        pos = cyc.float() * self.table
        i0 = torch.floor(pos)
        frac = (pos - i0).view(b, t, self.hop)
        i0 = torch.remainder(i0.long(), self.table).view(b, t, self.hop)
        i1 = torch.remainder(i0 + 1, self.table)
        tables = self.wavetables(torch.cat([amp_prev.unsqueeze(1), amp], dim=1))   # (B, T+1, L)
        before = tables[:, :-1]
        after = tables[:, 1:]
        read_b = torch.gather(before, 2, i0) * (1.0 - frac) + torch.gather(before, 2, i1) * frac
        read_a = torch.gather(after, 2, i0) * (1.0 - frac) + torch.gather(after, 2, i1) * frac
        harm = (read_b + (read_a - read_b) * self.ramp).reshape(b, n)

        mags = torch.matmul(noise, self.noise_interp)                          # (B, T, bins)
        # random phases (uniform draws come one by one from the generator, so a call of T frames
        # draws what T calls of one frame draw: streaming decode equals decoding at once)
        angle = (2.0 * math.pi) * torch.rand(b, t, mags.shape[2])
        grains = torch.fft.irfft(torch.complex(mags * torch.cos(angle), mags * torch.sin(angle)), self.grain)
        grains = grains * self.grain_window * math.sqrt(self.grain)            # (B, T, GRAIN)
        first = grains[:, :, :self.hop]
        second = grains[:, :, self.hop:]
        prev_second = torch.cat([tail.unsqueeze(1), second[:, :-1]], dim=1)
        noise_audio = (first + prev_second).reshape(b, n)
        return harm + noise_audio, cyc[:, -1:], second[:, -1]

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        b = z.shape[0]
        t = z.shape[2]
        if t == 0:
            return torch.zeros(b, 1, 0)
        if b > self.max_rows:
            raise RuntimeError("decode takes at most 32 rows (streams) at once")
        z = torch.nan_to_num(z.float(), nan=0.0, posinf=10.0, neginf=-10.0)
        z = torch.minimum(torch.maximum(z, self.z_lo), self.z_hi)
        f0, amp, noise = self.controls(z)
        fresh = torch.logical_not(self.started[:b])
        if bool(fresh.any()):                      # rows never played start from their first frame
            fr = fresh.view(b, 1)
            self.prev_f0[:b] = torch.where(fr, f0[:, :1], self.prev_f0[:b])
            self.prev_amp[:b] = torch.where(fr, amp[:, 0], self.prev_amp[:b])
            self.phase[:b] = torch.where(fr, torch.zeros_like(self.phase[:b]), self.phase[:b])
            self.noise_tail[:b] = torch.where(fr, torch.zeros_like(self.noise_tail[:b]), self.noise_tail[:b])
            self.started[:b] = True
        y, phase, tail = self.synthesize(f0, amp, noise, self.phase[:b], self.prev_f0[:b],
                                         self.prev_amp[:b], self.noise_tail[:b])
        self.phase[:b] = phase
        self.prev_f0[:b] = f0[:, -1:]
        self.prev_amp[:b] = amp[:, -1]
        self.noise_tail[:b] = tail
        if bool(fresh.any()):                      # click-free start: a 128-sample fade-in
            faded = torch.cat([y[:, :self.fade_in_len] * self.fade, y[:, self.fade_in_len:]], dim=1)
            y = torch.where(fresh.view(b, 1), faded, y)
        return y.unsqueeze(1)

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    @torch.jit.export
    def reset(self) -> None:
        """Forget every row's stream (tests and offline checks start from here)."""
        self.started.zero_()
        self.phase.zero_()
        self.prev_f0.zero_()
        self.prev_amp.zero_()
        self.noise_tail.zero_()


def trainable(model: nn.Module) -> List[nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]
