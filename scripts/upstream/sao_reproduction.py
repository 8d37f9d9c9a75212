"""Stable Audio Open 1.0's autoencoder as jasper-zheng/streamable-stable-audio-open's
`export.py --streaming` exports it, REPRODUCED from a reading of that repository (commit
9f232f3a, models/autoencoders.py, models/pretransforms.py, models/bottleneck.py, models/blocks.py,
models/factory.py, export.py). That repository states no licence, so none of its code is copied
here; this file is terraind's own, written to give the same exported module:

- the same module tree: AutoencoderPretransform(nn~ Module) -> .model AudioAutoencoder ->
  .encoder / .decoder Oobleck stacks built from cached_conv's Conv1d / ConvTranspose1d (with
  cc.use_cached_conv(True), as `--streaming` sets), CachedSequential and AlignBranches residuals,
  SnakeBeta activations; .bottleneck a VAE bottleneck whose encode samples the posterior
  (randn_like), unless skip_bottleneck;
- the same nn~ surface: methods forward (2 -> 2), encode ([2, 1, latent_dim, ratio]), decode
  ([latent_dim, ratio, 2, 1]) registered with test_method=False; _attributes ["none"]; NO `sr`;
  plain int attributes sample_rate, io_channels, downsampling_ratio, encoded_channels;
- the same export steps: eval, a forward on (2, io_channels, 8192) zeros (which also creates
  cached_conv's lazy padding caches), then torch.jit.script + save.

What differs, and why: weight normalisation is not applied (the export removes its
parametrisations before scripting, leaving plain weights: the same file); the configuration is
shrunk (channels 4 instead of 128) and the weights random; antialiased activations and the
local-attention decoder, which SAO 1.0's configuration does not use, are left out.
"""

import math
import os
import sys
from typing import List, Optional

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cached_conv as cc  # noqa: E402  (vendored: scripts/upstream/cached_conv, CC BY-NC 4.0)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "music2latent_scripted"))
# nn~'s Module (acids-ircam/nn_tilde python_tools/module.py, CC BY-NC 4.0), in the copy that
# music2latent-scripted vendors: the same class streamable-stable-audio-open vendors.
from nn_diffusion_tilde import Module  # noqa: E402


class SnakeBeta(nn.Module):
    def __init__(self, in_features: int):
        super().__init__()
        self.alpha = nn.Parameter(torch.randn(in_features) * 0.1)  # log scale (alpha_logscale)
        self.beta = nn.Parameter(torch.randn(in_features) * 0.1)

    def forward(self, x):
        alpha = torch.exp(self.alpha.unsqueeze(0).unsqueeze(-1))
        beta = torch.exp(self.beta.unsqueeze(0).unsqueeze(-1))
        return x + (1.0 / (beta + 0.000000001)) * torch.pow(torch.sin(x * alpha), 2)


def conv(cin: int, cout: int, kernel: int, stride: int = 1, dilation: int = 1, padding=None, bias: bool = True):
    pad = cc.get_padding(kernel, stride=stride, dilation=dilation) if padding is None else padding
    return cc.Conv1d(cin, cout, kernel, stride=stride, padding=pad, dilation=dilation, bias=bias)


class ResidualUnit(nn.Module):
    def __init__(self, channels: int, dilation: int):
        super().__init__()
        p = (7 - 1) * dilation + 1
        layers = cc.CachedSequential(SnakeBeta(channels),
                                     conv(channels, channels, 7, dilation=dilation, padding=((p - 1) // 2, p // 2)),
                                     SnakeBeta(channels), conv(channels, channels, 1))
        self.aligned = cc.AlignBranches(layers, nn.Identity(), delays=[layers[1].cumulative_delay, 0])

    def forward(self, x):
        x_net, x_res = self.aligned(x)
        return x_net + x_res


def encoder_block(cin: int, cout: int, stride: int) -> nn.Module:
    return cc.CachedSequential(ResidualUnit(cin, 1), ResidualUnit(cin, 3), ResidualUnit(cin, 9), SnakeBeta(cin),
                               conv(cin, cout, 2 * stride, stride=stride))


def decoder_block(cin: int, cout: int, stride: int) -> nn.Module:
    return cc.CachedSequential(SnakeBeta(cin),
                               cc.ConvTranspose1d(cin, cout, 2 * stride, stride=stride, padding=math.ceil(stride / 2)),
                               ResidualUnit(cout, 1), ResidualUnit(cout, 3), ResidualUnit(cout, 9))


class OobleckEncoder(nn.Module):
    def __init__(self, in_channels: int, channels: int, latent_dim: int, c_mults: List[int], strides: List[int]):
        super().__init__()
        c_mults = [1] + c_mults
        layers = [conv(in_channels, c_mults[0] * channels, 7, padding=(3, 3))]
        for i in range(len(c_mults) - 1):
            layers.append(encoder_block(c_mults[i] * channels, c_mults[i + 1] * channels, strides[i]))
        layers += [SnakeBeta(c_mults[-1] * channels), conv(c_mults[-1] * channels, latent_dim, 3)]
        self.layers = cc.CachedSequential(*layers)

    def forward(self, x):
        return self.layers(x)


class OobleckDecoder(nn.Module):
    def __init__(self, out_channels: int, channels: int, latent_dim: int, c_mults: List[int], strides: List[int]):
        super().__init__()
        c_mults = [1] + c_mults
        layers = [conv(latent_dim, c_mults[-1] * channels, 7)]
        for i in range(len(c_mults) - 1, 0, -1):
            layers.append(decoder_block(c_mults[i] * channels, c_mults[i - 1] * channels, strides[i - 1]))
        layers += [SnakeBeta(c_mults[0] * channels), conv(c_mults[0] * channels, out_channels, 7, bias=False),
                   nn.Identity()]  # SAO 1.0: final_tanh false
        self.layers = cc.CachedSequential(*layers)

    def forward(self, x):
        return self.layers(x)


class VAEBottleneck(nn.Module):
    def __init__(self):
        super().__init__()
        self.is_discrete = False

    def encode(self, x):
        mean, scale = x.chunk(2, dim=1)
        stdev = nn.functional.softplus(scale) + 1e-4
        return torch.randn_like(mean) * stdev + mean

    def decode(self, x):
        return x


class AudioAutoencoder(nn.Module):
    def __init__(self, encoder, decoder, latent_dim: int, downsampling_ratio: int, sample_rate: int,
                 io_channels: int, bottleneck: Optional[nn.Module]):
        super().__init__()
        self.downsampling_ratio = downsampling_ratio
        self.sample_rate = sample_rate
        self.latent_dim = latent_dim
        self.io_channels = io_channels
        self.in_channels = io_channels
        self.out_channels = io_channels
        self.min_length = downsampling_ratio
        self.bottleneck = bottleneck
        self.encoder = encoder
        self.decoder = decoder
        self.soft_clip = False
        self.is_discrete = False

    def encode(self, audio, skip_bottleneck: bool = False):
        with torch.no_grad():
            latents = self.encoder(audio)
        if self.bottleneck is not None and not skip_bottleneck:
            latents = self.bottleneck.encode(latents)
        else:
            latents, _ = latents.chunk(2, dim=1)
        return latents

    def decode(self, latents, skip_bottleneck: bool = False):
        if self.bottleneck is not None and not skip_bottleneck:
            latents = self.bottleneck.decode(latents)
        decoded = self.decoder(latents)
        if self.soft_clip:
            decoded = torch.tanh(decoded)
        return decoded


class AutoencoderPretransform(Module):
    def __init__(self, model: AudioAutoencoder, scale: float = 1.0, skip_bottleneck: bool = False):
        super().__init__()
        self.is_discrete = False
        self.enable_grad = False
        self._methods = []
        self._attributes = ["none"]
        self.model = model
        self.model.requires_grad_(False).eval()
        self.scale = scale
        self.downsampling_ratio = model.downsampling_ratio
        self.io_channels = model.io_channels
        self.sample_rate = model.sample_rate
        self.model_half = False
        self.encoded_channels = model.latent_dim
        self.skip_bottleneck = skip_bottleneck
        self.eval()
        latent, ratio = model.latent_dim, model.downsampling_ratio
        channels = ['(signal) Channel %d' % d for d in range(1, 3)]
        latents = ['(signal) Latent dimension %d' % (i + 1) for i in range(latent)]
        self.register_method("forward", 2, 1, 2, 1, channels, channels, test_method=False)
        self.register_method("encode", 2, 1, latent, ratio, channels, latents, test_method=False)
        self.register_method("decode", latent, ratio, 2, 1, latents, channels, test_method=False)

    @torch.jit.export
    def encode(self, x):
        return self.model.encode(x, skip_bottleneck=self.skip_bottleneck) / self.scale

    @torch.jit.export
    def decode(self, z):
        return self.model.decode(z * self.scale, skip_bottleneck=self.skip_bottleneck)

    @torch.jit.export
    def forward(self, x):
        z = self.model.encode(x, skip_bottleneck=self.skip_bottleneck)
        return self.model.decode(z, skip_bottleneck=self.skip_bottleneck)


def export(path: str, channels: int = 4, skip_bottleneck: bool = False) -> None:
    """SAO 1.0's pretransform configuration (io_channels 2, latent_dim 64, encoder latent 128
    for the VAE's mean and scale, c_mults [1, 2, 4, 8, 16], strides [2, 4, 4, 8, 8]: ratio 2048,
    snake activations, 44100 Hz), with `channels` instead of 128."""
    cc.use_cached_conv(True)  # export.py --streaming
    mults, strides = [1, 2, 4, 8, 16], [2, 4, 4, 8, 8]
    model = AudioAutoencoder(OobleckEncoder(2, channels, 128, mults, strides),
                             OobleckDecoder(2, channels, 64, mults, strides),
                             latent_dim=64, downsampling_ratio=2048, sample_rate=44100, io_channels=2,
                             bottleneck=VAEBottleneck())
    pretransform = AutoencoderPretransform(model, scale=1.0, skip_bottleneck=skip_bottleneck)
    pretransform.eval()
    with torch.no_grad():  # export.py: "Testing the model with silence"
        pretransform.forward(torch.zeros(2, pretransform.io_channels, 8192))
    pretransform.export_to_ts(path)
