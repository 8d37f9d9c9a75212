#!/usr/bin/python3
"""Generate small random-weight TorchScript models for terraind's loader tests and benchmarks.

Why: the loader must accept every model layout found in the wild (nn~/RAVE v2 conventions,
other sample rates, channel counts and ratios, old RAVE v1 files without get_methods()/sr) and
refuse broken ones with a clear message, and the audio engine needs a RAVE-sized decoder to
measure real-time headroom. Real models are large and licensed; these are generated in seconds
from fixed seeds, so `make test` builds them into build/models/ instead of committing them.

Usage:  /usr/bin/python3 scripts/make_test_models.py [OUTDIR]     (default build/models)

Files (one line printed per file written):
  stereo44k.ts     44.1 kHz stereo, ratio 2048, 64 latents (like Stable Audio Open's AE);
                   encode (B,2,N)->(B,64,N/2048), decode (B,64,T)->(B,2,T*2048), forward
  m2l_like.ts      44.1 kHz mono, ratio 4096, 64 latents (like Music2Latent); encode, decode
  rave_v1_like.ts  OLD RAVE v1 export: no get_methods(), no `sr`, no labels; buffers
                   sampling_rate=48000, latent_size=8, max_batch_size; encode_params
                   [1,1,8,2048], decode_params [8,2048,1,1] (and forward_params [1,1,1,1], as
                   RAVE v1's export had)
  rave_v1_stereo.ts  RAVE v1 `--stereo` export layout: encode_params [1,1,8,2048] (mono in),
                   decode_params [8,2048,2,1] (stereo out), no get_methods()/sr
  long_frame.ts    8 kHz mono, ratio 16384: a frame larger than the live audio ring at 48 kHz
  heavy.ts         the demo's layout at ratio 8192 (171 ms frames) with a decode taking about
                   0.7 of a frame: the render thread is decoding most of the time (responsiveness)
  slow.ts          the demo's layout (48 kHz mono, ratio 512, 4 latents) with a decode that takes
                   about 4x a latent frame on this machine (calibrated when generated): overload
  no_decode.ts     48 kHz autoencoder-looking module with only `encode`
  bad_params.ts    decode_params has 3 entries ([4, 512, 1])
  zero_ratio.ts    decode_params = [4, 0, 1, 1]
  wrong_shape.ts   decode_params = [4, 512, 1, 1] but decode returns (B, 1, T*256)
  throws.ts        decode_params = [4, 512, 1, 1] and decode raises "decoder exploded"
  counter_state.ts the demo's layout (48 kHz mono, ratio 512, 4 latents), streaming, its phase
                   kept in a plain int attribute (not a tensor): a decode cannot be taken back,
                   so sub-frame control must detect it and fall back to frame rate
  long_tone_44k.ts long_tone.ts at 44.1 kHz (93 ms frames): played on a 48 kHz device, resampled
  long_tone.ts     48 kHz mono, ratio 4096 (85 ms frames), 4 latents: a sine at 440 * 2^z0 Hz whose
                   phase decode carries in a buffer it replaces each call (self.phase = ...), not
                   updates: a snapshot must follow the attribute; a move heard within a frame is
                   easy to tell from one heard at the next (tests/fixtures/long_tone_terrain.json)
  rave_bench.ts    RAVE-v2-sized streaming-style decoder (48 kHz mono, ratio 2048, 16 latents,
                   ~4 M random weights): cached causal convs (state in buffers, one row per
                   stream for up to 32: pad[:batch] as RAVE) and upsampling stages 4*4*4*4*2*2*2; encode is a single strided conv. Prints its parameter
                   count and the time of one decode of T=1 on one thread.

The broken models only have the methods named (decode, plus encode where it says so); each
method follows the conventions in every respect other than the one that is broken.
"""

import math
import os
import sys
import time
from typing import List

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_tilde_conventions import (NNTildeModule, check_model, fixed_hash_seed,  # noqa: E402
                                  labels)


# ----------------------------------------------------------------------------- building blocks
def down_stack(in_ch: int, out_ch: int, factors: List[int]) -> nn.Sequential:
    """Strided convs (kernel = stride, so any whole number of frames works) -> latents."""
    layers: List[nn.Module] = []
    chans = [in_ch] + [max(8, out_ch >> (len(factors) - 1 - i)) for i in range(len(factors))]
    chans[-1] = out_ch
    for i, f in enumerate(factors):
        layers.append(nn.Conv1d(chans[i], chans[i + 1], f, stride=f))
        if i < len(factors) - 1:
            layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


def up_stack(latent: int, out_ch: int, factors: List[int], width: int = 32) -> nn.Sequential:
    """1x1 conv then non-overlapping transposed convs (kernel = stride) -> tanh audio."""
    layers: List[nn.Module] = [nn.Conv1d(latent, width, 1), nn.LeakyReLU(0.2)]
    c = width
    for i, f in enumerate(factors):
        last = i == len(factors) - 1
        nxt = out_ch if last else max(8, c // 2)
        layers.append(nn.ConvTranspose1d(c, nxt, f, stride=f))
        layers.append(nn.Tanh() if last else nn.LeakyReLU(0.2))
        c = nxt
    return nn.Sequential(*layers)


class ConvAE(NNTildeModule):
    """A plain nn~ v2 autoencoder: encode, decode, forward."""

    def __init__(self, sr: int, channels: int, latent: int, factors: List[int]):
        super().__init__(sr)
        ratio = 1
        for f in factors:
            ratio *= f
        audio = ["audio L", "audio R"] if channels == 2 else ["audio"]
        self.register_method("encode", channels, 1, latent, ratio, audio, labels("latent", latent))
        self.register_method("decode", latent, ratio, channels, 1, labels("latent", latent), audio)
        self.register_method("forward", channels, 1, channels, 1, audio, audio)
        self.enc = down_stack(channels, latent, factors)
        self.dec = up_stack(latent, channels, list(reversed(factors)))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.enc(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.dec(z)

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class RaveV1Like(nn.Module):
    """What RAVE v1's export_rave.py produced: params buffers, but no get_methods() and no sr.
    With --stereo (decode_channels 2) encode still takes mono and decode gives stereo
    (encode_params [1, 1, latents, ratio], decode_params [latents, ratio, 2, 1])."""

    def __init__(self, decode_channels: int = 1):
        super().__init__()
        factors = [4, 8, 8, 8]
        self.register_buffer("sampling_rate", torch.tensor(48000))
        self.register_buffer("max_batch_size", torch.tensor(1024))
        self.register_buffer("latent_size", torch.tensor(8))
        self.register_buffer("encode_params", torch.tensor([1, 1, 8, 2048]))
        self.register_buffer("decode_params", torch.tensor([8, 2048, decode_channels, 1]))
        self.register_buffer("forward_params", torch.tensor([1, 1, decode_channels, 1]))
        self.enc = down_stack(1, 8, factors)
        self.dec = up_stack(8, decode_channels, list(reversed(factors)))

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.enc(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.dec(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class LongFrame(NNTildeModule):
    """8 kHz mono, ratio 16384: at a 48 kHz device one frame is 98304 samples,
    more than the live engine's audio ring holds (it plays offline)."""

    def __init__(self):
        super().__init__(8000)
        self.register_method("decode", 4, 16384, 1, 1, labels("latent", 4), ["audio"])

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        t = torch.arange(16384 * z.shape[2], dtype=torch.float32) / 8000.0
        tone = 0.25 * torch.sin(2.0 * 3.14159265 * 220.0 * t)
        return tone.reshape(1, 1, -1).repeat(z.shape[0], 1, 1)


class Slow(NNTildeModule):
    """The demo's layout (48 kHz mono, 4 latents; ratio 512 unless told) with a decode that burns
    `loops` 512x512 matrix products before answering, calibrated when generated: slow.ts takes
    about 4x its latent frame (10.7 ms), a model too heavy for the machine (the overload tests);
    heavy.ts, ratio 8192, about 0.7 of its 171 ms frame, as a Music2Latent call (the
    responsiveness test: the render thread is decoding most of the time)."""

    def __init__(self, loops: int, ratio: int = 512):
        super().__init__(48000)
        self.register_method("decode", 4, ratio, 1, 1, labels("latent", 4), ["audio"])
        self.register_buffer("work", torch.randn(512, 512) / 512.0)
        self.loops = loops
        self.ratio = ratio

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        acc = self.work
        for _ in range(self.loops):
            acc = torch.tanh(acc @ self.work)
        t = torch.arange(self.ratio * z.shape[2], dtype=torch.float32) / 48000.0
        tone = 0.2 * torch.sin(2.0 * 3.14159265 * 220.0 * t) + 0.0 * acc[0, 0]
        return tone.reshape(1, 1, -1).repeat(z.shape[0], 1, 1)


def calibrated_slow_loops(target_ms: float) -> int:
    """Matrix products that take target_ms on one thread here."""
    w = torch.randn(512, 512) / 512.0
    acc = w
    for _ in range(5):
        acc = torch.tanh(acc @ w)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        acc = torch.tanh(acc @ w)
    per = (time.perf_counter() - t0) / n * 1e3
    return max(1, int(target_ms / per))


class EncodeOnly(NNTildeModule):
    def __init__(self):
        super().__init__(48000)
        self.register_method("encode", 1, 1, 4, 512, ["audio"], labels("latent", 4))
        self.enc = down_stack(1, 4, [8, 8, 8])

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.enc(x)


class DecodeOnly(NNTildeModule):
    """decode (B,4,T) -> (B,1,T*out_ratio); decode_params may be overridden to break it."""

    def __init__(self, params: List[int], out_ratio: int = 512, explode: bool = False):
        super().__init__(48000)
        self.register_method("decode", 4, 512, 1, 1, labels("latent", 4), ["audio"])
        self.register_buffer("decode_params", torch.tensor(params, dtype=torch.int64))
        self.explode = explode
        factors = [8, 8, 8] if out_ratio == 512 else [4, 8, 8]
        self.dec = up_stack(4, 1, factors, width=16)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        if self.explode and z.shape[0] >= 0:      # always true, but only known at call time
            raise RuntimeError("decoder exploded")
        return self.dec(z)


class CounterState(NNTildeModule):
    """A 220 Hz tone whose phase is a count of calls kept in an int attribute (not a tensor)."""

    def __init__(self):
        super().__init__(48000)
        self.register_method("decode", 4, 512, 1, 1, labels("latent", 4), ["audio"])
        self.calls = 0

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        n = 512 * z.shape[2]
        t = (torch.arange(n, dtype=torch.float32) + float(self.calls * n)) / 48000.0
        self.calls += 1
        tone = 0.25 * torch.sin(2.0 * 3.14159265 * 220.0 * t).reshape(1, 1, n)
        return tone * (1.0 + 0.1 * torch.tanh(z.mean(dim=(1, 2)))).reshape(-1, 1, 1)


class LongTone(NNTildeModule):
    """A sine at 440 * 2^z0 Hz (z0 clamped to [-2, 2]), 48 kHz, ratio 4096 (85 ms frames), its
    phase carried from frame to frame in a buffer that decode replaces (self.phase = ...) rather
    than updates: a long frame, so that a move heard within it is easy to tell from one heard at
    the next frame, and state a snapshot must follow through the attribute."""

    def __init__(self, rate: int = 48000):
        super().__init__(rate)
        self.register_method("decode", 4, 4096, 1, 1, labels("latent", 4), ["audio"])
        self.register_buffer("phase", torch.zeros(MAX_ROWS, 1, dtype=torch.float64))
        self.rate = float(rate)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        b = z.shape[0]
        n = 4096 * z.shape[2]
        f = 440.0 * torch.pow(2.0, z[:, 0, :].clamp(-2.0, 2.0).double())
        step = (2.0 * 3.141592653589793 / self.rate) * f.repeat_interleave(4096, dim=1)
        phase = self.phase[:b] + torch.cumsum(step, dim=1)
        self.phase = torch.cat([torch.remainder(phase[:, n - 1:], 2.0 * 3.141592653589793),
                                self.phase[b:]], dim=0)
        return (0.25 * torch.sin(phase)).float().view(b, 1, n)


# ----------------------------------------------------------------------------- rave_bench
MAX_ROWS = 32   # streams decoded at once (terraind's MODEL_MAX_ROWS)


class CachedConv1d(nn.Module):
    """Causal Conv1d whose left context is cached across calls, one row per stream, as RAVE's
    cached_conv keeps it (a buffer of MAX_BATCH_SIZE rows used as pad[:batch]): a call of batch B
    continues rows 0..B-1 and leaves the others as they were."""

    def __init__(self, cin: int, cout: int, k: int, dilation: int = 1):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, dilation=dilation)
        self.pad = (k - 1) * dilation
        self.register_buffer("cache", torch.zeros(MAX_ROWS, cin, self.pad))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        x = torch.cat([self.cache[:b], x], dim=2)
        self.cache[:b] = x[:, :, x.shape[2] - self.pad:]
        return self.conv(x)


class ResidualUnit(nn.Module):
    def __init__(self, ch: int, dilation: int):
        super().__init__()
        self.act = nn.LeakyReLU(0.2)
        self.conv = CachedConv1d(ch, ch, 3, dilation)
        self.proj = nn.Conv1d(ch, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.proj(self.act(self.conv(self.act(x))))


class UpStage(nn.Module):
    def __init__(self, cin: int, cout: int, ratio: int):
        super().__init__()
        self.act = nn.LeakyReLU(0.2)
        self.up = nn.ConvTranspose1d(cin, cout, ratio, stride=ratio)
        self.res = nn.Sequential(ResidualUnit(cout, 1), ResidualUnit(cout, 3),
                                 ResidualUnit(cout, 9))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.res(self.up(self.act(x)))


class RaveBench(NNTildeModule):
    RATIOS = [4, 4, 4, 4, 2, 2, 2]
    CHANNELS = [512, 384, 192, 96, 48, 32, 16, 16]

    def __init__(self):
        super().__init__(48000)
        latent = 16
        self.register_method("encode", 1, 1, latent, 2048, ["audio"], labels("latent", latent))
        self.register_method("decode", latent, 2048, 1, 1, labels("latent", latent), ["audio"])
        self.register_method("forward", 1, 1, 1, 1, ["audio"], ["audio"])
        self.enc = nn.Conv1d(1, latent, 2048, stride=2048)
        ch = self.CHANNELS
        self.pre = CachedConv1d(latent, ch[0], 3)
        self.stages = nn.Sequential(*[UpStage(ch[i], ch[i + 1], r)
                                      for i, r in enumerate(self.RATIOS)])
        self.post = CachedConv1d(ch[-1], 1, 7)

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.enc(x)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.post(self.stages(self.pre(z))))

    @torch.jit.export
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


# ----------------------------------------------------------------------------- main
def save(module: nn.Module, outdir: str, name: str, note: str) -> str:
    path = os.path.join(outdir, name)
    torch.jit.script(module).save(path)
    print("wrote %-16s %8d bytes  %s" % (name, os.path.getsize(path), note))
    return path


def expect_failure(path: str, method: str, x: torch.Tensor, what: str) -> None:
    m = torch.jit.load(path)
    try:
        y = getattr(m, method)(x)
    except Exception as e:  # noqa: BLE001 - TorchScript raises torch.jit.Error
        assert what in str(e), e
        return
    assert what == "shape", "expected %s from %s" % (what, path)
    assert y.shape[2] != x.shape[2] * 512, y.shape


def main() -> None:
    fixed_hash_seed()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "models")
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    t_start = time.perf_counter()

    torch.manual_seed(44100)
    p = save(ConvAE(44100, 2, 64, [4, 8, 8, 8]), outdir, "stereo44k.ts",
             "44.1 kHz stereo, ratio 2048, 64 latents")
    check_model(p, 44100, {"encode": [2, 1, 64, 2048], "decode": [64, 2048, 2, 1],
                           "forward": [2, 1, 2, 1]})

    torch.manual_seed(4096)
    p = save(ConvAE(44100, 1, 64, [8, 8, 8, 8]), outdir, "m2l_like.ts",
             "44.1 kHz mono, ratio 4096, 64 latents")
    check_model(p, 44100, {"encode": [1, 1, 64, 4096], "decode": [64, 4096, 1, 1],
                           "forward": [1, 1, 1, 1]})

    torch.manual_seed(1)
    p = save(RaveV1Like(), outdir, "rave_v1_like.ts",
             "RAVE v1 layout: no get_methods/sr, sampling_rate & latent_size buffers")
    m = torch.jit.load(p)
    assert not hasattr(m, "get_methods") and not hasattr(m, "sr")
    assert int(m.sampling_rate) == 48000 and int(m.latent_size) == 8
    assert tuple(m.decode(torch.zeros(1, 8, 2)).shape) == (1, 1, 4096)

    torch.manual_seed(11)
    p = save(RaveV1Like(decode_channels=2), outdir, "rave_v1_stereo.ts",
             "RAVE v1 --stereo layout: mono encode, stereo decode, no get_methods/sr")
    m = torch.jit.load(p)
    assert m.encode_params.tolist() == [1, 1, 8, 2048] and m.decode_params.tolist() == [8, 2048, 2, 1]
    assert tuple(m.encode(torch.zeros(1, 1, 4096)).shape) == (1, 8, 2)
    assert tuple(m.decode(torch.zeros(1, 8, 2)).shape) == (1, 2, 4096)

    p = save(LongFrame(), outdir, "long_frame.ts", "8 kHz, ratio 16384 (98304 samples a frame at 48 kHz)")
    check_model(p, 8000, {"decode": [4, 16384, 1, 1]})
    assert tuple(torch.jit.load(p).decode(torch.zeros(1, 4, 2)).shape) == (1, 1, 32768)

    torch.manual_seed(12)
    loops = calibrated_slow_loops(4 * 512 / 48000 * 1e3)
    p = save(Slow(loops), outdir, "slow.ts", "demo layout, decode ~4x a frame (%d matrix products)" % loops)
    check_model(p, 48000, {"decode": [4, 512, 1, 1]})

    torch.manual_seed(13)
    loops = calibrated_slow_loops(0.7 * 8192 / 48000 * 1e3)
    p = save(Slow(loops, 8192), outdir, "heavy.ts", "ratio 8192, decode ~0.7 of a frame (%d matrix products)" % loops)
    check_model(p, 48000, {"decode": [4, 8192, 1, 1]})

    torch.manual_seed(2)
    p = save(EncodeOnly(), outdir, "no_decode.ts", "only encode")
    check_model(p, 48000, {"encode": [1, 1, 4, 512]})

    torch.manual_seed(3)
    p = save(DecodeOnly([4, 512, 1]), outdir, "bad_params.ts", "decode_params = [4, 512, 1]")
    assert torch.jit.load(p).decode_params.tolist() == [4, 512, 1]

    torch.manual_seed(4)
    p = save(DecodeOnly([4, 0, 1, 1]), outdir, "zero_ratio.ts", "decode_params = [4, 0, 1, 1]")
    assert torch.jit.load(p).decode_params.tolist() == [4, 0, 1, 1]

    torch.manual_seed(5)
    p = save(DecodeOnly([4, 512, 1, 1], out_ratio=256), outdir, "wrong_shape.ts",
             "decode returns T*256 samples, params say 512")
    expect_failure(p, "decode", torch.zeros(1, 4, 3), "shape")

    torch.manual_seed(6)
    p = save(DecodeOnly([4, 512, 1, 1], explode=True), outdir, "throws.ts",
             "decode raises RuntimeError('decoder exploded')")
    expect_failure(p, "decode", torch.zeros(1, 4, 1), "decoder exploded")

    p = save(CounterState(), outdir, "counter_state.ts", "state in an int attribute: no sub-frame control")
    check_model(p, 48000, {"decode": [4, 512, 1, 1]})
    p = save(LongTone(), outdir, "long_tone.ts", "440 * 2^z0 Hz, ratio 4096, phase in a replaced buffer")
    check_model(p, 48000, {"decode": [4, 4096, 1, 1]})
    m = torch.jit.load(p)
    y = torch.cat([m.decode(torch.zeros(1, 4, 1)), m.decode(torch.zeros(1, 4, 1))], dim=2)
    assert abs(float(y[0, 0, 4096]) - 0.25 * math.sin(2 * math.pi * 440 * 4097 / 48000)) < 1e-4
    p = save(LongTone(44100), outdir, "long_tone_44k.ts", "the same at 44.1 kHz (sub-frame control through the resampler)")
    check_model(p, 44100, {"decode": [4, 4096, 1, 1]})

    torch.manual_seed(2048)
    bench = RaveBench()
    nparams = sum(q.numel() for q in bench.parameters())
    p = save(bench, outdir, "rave_bench.ts", "%.2f M parameters, 48 kHz mono, ratio 2048, "
             "16 latents" % (nparams / 1e6))
    check_model(p, 48000, {"encode": [1, 1, 16, 2048], "decode": [16, 2048, 1, 1],
                           "forward": [1, 1, 1, 1]})
    m = torch.jit.load(p)
    z = torch.randn(1, 16, 1)
    with torch.no_grad():
        for _ in range(5):
            m.decode(z)
        n = 20
        t0 = time.perf_counter()
        for _ in range(n):
            y = m.decode(z)
        dt = (time.perf_counter() - t0) / n
    assert tuple(y.shape) == (1, 1, 2048)
    print("rave_bench.ts: decode of one frame (T=1, 2048 samples), 1 thread: %.2f ms "
          "(real time budget %.2f ms)" % (dt * 1e3, 2048 / 48000 * 1e3))
    print("done in %.1f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
