#!/usr/bin/python3
"""Small random-weight stand-ins for the autoencoders latent terrain supports, written by their
upstream export code (see scripts/upstream/NOTICE.md for what is vendored, from which commit,
under which licence, and what is reproduced instead).

Why: terraind's own test models were written from descriptions of the conventions; files written
by the real export code differ (no sample rate at all, the rate under another name, per-method
channel layouts, a fixed noise buffer that caps a decode call). These are the files a user gets,
at a shrunk size (tiny channel counts, random weights) so that they are made in seconds.

Usage:  /usr/bin/python3 scripts/make_upstream_models.py [OUTDIR]    (default build/models/upstream)

Files (one line printed per file):
  m2l_mono.ts    Music2Latent-scripted, its export path run as-is (ScriptedUNet + export_to_ts)
                 on a shrunk hparams: encode 1 ch -> 64 latents (ratio 4096), decode 64 -> 1 ch;
                 no sample-rate attribute; get_attributes() == ["none"]; init_noise buffer.
  m2l_stereo.ts  the same with out_channels 2 (export.py --outchannels 2): decode 64 -> 2 ch.
  sao_stream.ts  Stable Audio Open 1.0's autoencoder as streamable-stable-audio-open's
                 `export.py --streaming` builds it (Oobleck encoder/decoder on cached_conv, VAE
                 bottleneck that samples the posterior), shrunk; plain int attributes sample_rate
                 (44100), io_channels (2), downsampling_ratio (2048). REPRODUCED from the reading
                 (that repository has no licence): see scripts/upstream/NOTICE.md.
"""

import os
import sys
import time
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(HERE, "upstream")


def install_absent_module(name: str, **attributes) -> None:
    """Makes `import name` work for a module that upstream code imports at its top but whose
    contents the export path never uses (a command-line flag parser, a hub downloader). Anything
    the export path did use would be missing and fail loudly."""
    if name in sys.modules:
        return
    try:
        __import__(name)
        return
    except ImportError:
        pass
    module = types.ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    sys.modules[name] = module


def report(path: str, started: float, what: str) -> None:
    print("%s: %s (%.0f kB, %.1f s)" % (os.path.basename(path), what, os.path.getsize(path) / 1024,
                                        time.time() - started))


# ----------------------------------------------------------------------------- Music2Latent
def make_music2latent(outdir: str, out_channels: int, name: str) -> None:
    """music2latent-scripted's export.py main(), minus the checkpoint it loads: the same hparams
    object, shrunk, the same ScriptedUNet(hparams, sigma_rescale), the same export_to_ts()."""
    started = time.time()
    sys.path.insert(0, os.path.join(UPSTREAM, "music2latent_scripted"))
    try:
        # export.py defines its command-line flags with absl at import time; main() (which parses
        # them and loads the released checkpoint) is not run here.
        class _Flags:
            def __getattr__(self, key):
                raise AttributeError("absl flags are not parsed here")

        def _define(*args, **kwargs):
            return None

        flags = types.SimpleNamespace(FLAGS=_Flags(), DEFINE_string=_define, DEFINE_integer=_define,
                                      DEFINE_bool=_define, DEFINE_float=_define)
        install_absent_module("absl", flags=flags, app=types.SimpleNamespace(run=lambda main: None))
        install_absent_module("absl.flags", **vars(flags))
        install_absent_module("absl.app", run=lambda main: None)
        import export as m2l_export  # noqa: E402  (scripts/upstream/music2latent_scripted/export.py)
        from hparams import HParams  # noqa: E402
        from hparams_inference import sigma_rescale  # noqa: E402

        hp = HParams()
        # Shrunk: a tenth of the channels and one bottleneck block. Everything that fixes the
        # file's conventions is left as released: hop 512, five levels with 2 layers each and
        # the same frequency downsampling (so the decoder's downscaling_factor and the
        # init_noise length are the released ones), 64 bottleneck channels, ratio 4096.
        hp.base_channels = 4
        hp.cond_channels = 16
        hp.bottleneck_base_channels = 16
        hp.num_bottleneck_layers = 1
        hp.heads = 1
        setattr(hp, "ratio", 4096)                # export.py: setattr(hparams, 'ratio', FLAGS.ratio)
        # export.py: setattr(hparams, 'out_channels', FLAGS.out_channels). Its flag is defined as
        # 'outchannels', so main() as published stops there (absl: no flag 'out_channels');
        # the value it means to set is set here.
        setattr(hp, "out_channels", out_channels)
        torch.manual_seed(15)
        gen = m2l_export.ScriptedUNet(hp, sigma_rescale=sigma_rescale)
        path = os.path.join(outdir, name)
        gen.export_to_ts(path)
    finally:
        sys.path.pop(0)
    report(path, started, "Music2Latent-scripted (upstream export.py's ScriptedUNet, shrunk), "
           "%d ch out" % out_channels)


# ----------------------------------------------------------------------------- Stable Audio Open
def make_stable_audio_open(outdir: str, name: str) -> None:
    started = time.time()
    sys.path.insert(0, UPSTREAM)
    try:
        import sao_reproduction  # noqa: E402  (scripts/upstream/sao_reproduction.py)
        torch.manual_seed(15)
        path = os.path.join(outdir, name)
        sao_reproduction.export(path)
    finally:
        sys.path.pop(0)
    report(path, started, "Stable Audio Open 1.0 AE, streamable export (reproduced from the reading, shrunk)")


def main() -> None:
    outdir = sys.argv[1] if len(sys.argv) > 1 else "build/models/upstream"
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)
    make_music2latent(outdir, 1, "m2l_mono.ts")
    make_music2latent(outdir, 2, "m2l_stereo.ts")
    make_stable_audio_open(outdir, "sao_stream.ts")


if __name__ == "__main__":
    main()
