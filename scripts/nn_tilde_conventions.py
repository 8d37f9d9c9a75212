#!/usr/bin/python3
"""Shared helpers for building TorchScript models that follow the nn~ / RAVE conventions.

terraind's C loader (libtorch) reads exactly what nn~ reads from a scripted model:

* each usable method (``encode``, ``decode``, ``forward``, ...) is ``@torch.jit.export``-ed,
  takes ONE float tensor (batch, channels, time) and returns one (batch, channels, time);
* a registered int64 buffer ``<method>_params = [in_channels, in_ratio, out_channels, out_ratio]``;
* ``get_methods() -> List[str]`` and ``get_attributes() -> List[str]`` (exported);
* ``sr``: a plain TorchScript ``int`` attribute (the sample rate);
* ``<method>_input_labels`` / ``<method>_output_labels``: ``List[str]`` attributes.

Streaming state lives in registered buffers updated in place, so calls must be made in order on
one instance.

``NNTildeModule`` is a base class that stores these conventions so that each generator script
only declares its methods; ``check_model`` reloads a saved file and verifies the conventions from
the outside, the way the C loader sees them.

Scripts importing this module run with Debian's ``/usr/bin/python3`` (python3-torch 1.13).
"""

import os
import sys
from typing import List

import torch
import torch.nn as nn


def fixed_hash_seed() -> None:
    """Re-run the current script with PYTHONHASHSEED=0 unless it already is.

    TorchScript writes a module's constants in set order, which follows Python's randomised
    string hashing, so without this two runs save byte-different (though equivalent) files.
    """
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable] + sys.argv)


class NNTildeModule(nn.Module):
    """Base class: call ``register_method`` for each method, then script the subclass."""

    def __init__(self, sr: int):
        super().__init__()
        # A plain int attribute: TorchScript turns it into an `int` attribute named `sr`.
        self.sr = int(sr)
        self._methods: List[str] = []

    def register_method(self, name: str, in_channels: int, in_ratio: int,
                        out_channels: int, out_ratio: int,
                        input_labels: List[str], output_labels: List[str]) -> None:
        """Declare an exported method with its nn~ parameter buffer and channel labels."""
        self.register_buffer(
            name + "_params",
            torch.tensor([in_channels, in_ratio, out_channels, out_ratio], dtype=torch.int64))
        assert len(input_labels) == in_channels, (name, input_labels)
        assert len(output_labels) == out_channels, (name, output_labels)
        setattr(self, name + "_input_labels", list(input_labels))
        setattr(self, name + "_output_labels", list(output_labels))
        self._methods.append(name)

    @torch.jit.export
    def get_methods(self) -> List[str]:
        return self._methods

    @torch.jit.export
    def get_attributes(self) -> List[str]:
        # nn~ attributes (settable parameters) are not used by these models.
        attributes: List[str] = []
        return attributes


def labels(prefix: str, n: int) -> List[str]:
    """Generic channel labels: ``prefix 0`` ... ``prefix n-1`` (nn~ shows them as outlet tips)."""
    return ["%s %d" % (prefix, i) for i in range(n)]


def check_model(path: str, sr: int, methods: dict) -> torch.jit.ScriptModule:
    """Reload ``path`` and check sr, get_methods and each method's params, labels and shapes.

    ``methods`` maps a method name to its expected ``[in_ch, in_ratio, out_ch, out_ratio]``.
    Each method is called with 3 frames of zeros (a frame being the model's largest ratio in
    samples) and must return the advertised shape.
    """
    m = torch.jit.load(path)
    hop = max(max(p[1], p[3]) for p in methods.values())
    assert int(m.sr) == sr, (path, m.sr, sr)
    assert sorted(m.get_methods()) == sorted(methods), (path, m.get_methods())
    assert isinstance(m.get_attributes(), list)
    for name, params in methods.items():
        got = getattr(m, name + "_params").tolist()
        assert got == list(params), (path, name, got, params)
        in_ch, in_ratio, out_ch, out_ratio = params
        assert len(getattr(m, name + "_input_labels")) == in_ch
        assert len(getattr(m, name + "_output_labels")) == out_ch
        frames = 3
        x = torch.zeros(1, in_ch, frames * hop // in_ratio)
        y = getattr(m, name)(x)
        want = (1, out_ch, frames * hop // out_ratio)
        assert tuple(y.shape) == want, (path, name, tuple(y.shape), want)
    return m
