#!/usr/bin/python3
"""Fit terrains/demo.json: a Fourier-feature CPPN terrain over models/demo.ts's four latents.

Why: terraind plays a terrain -- a small network mapping a 2-D control point to a latent vector --
through a model. The repository ships one terrain for the shipped demo model so the daemon does
something musical out of the box and tests have a real file to load. Instead of training on
recorded latents (which would need audio data), the landscape is DESIGNED analytically in the
demo model's meaningful latent units and a CPPN of exactly nn_terrain's architecture is fitted to
it with torch, then written in terraind's JSON terrain format (docs/terrain-format.md).

The landscape over the control space [-1, 1]^2 (x to the right, y up):
  pitch (z0)       terraces on wavy rings around the centre: eight pentatonic-ish steps rising
                   from A2 (110 Hz) in the middle to E4 (330 Hz) at the rim, the ring edges
                   swirling three times around so straight gestures cross several terraces;
  loudness (z1)    two hills (upper right, lower left) and a quiet valley (lower right) on a
                   moderate plain;
  brightness (z2)  rises from the lower-left corner (dark, nearly sine) to the upper-right (bright);
  noisiness (z3)   a noisy region in the upper-left corner (breathy, noise-dominated), pure tones
                   elsewhere.

Network (nn_terrain's FourierCPPN): h = 2*pi * x @ B with B (2 x 64) ~ N(0, GAUSS_SCALE^2), fixed;
h = [sin h, cos h]; then fc_in (128->64), fc2, fc3, fc4 (64->64), each followed by a one-weight
PReLU, and fc_out (64->4). Trained with MSE + Adam on fresh random points each step, then
evaluated on a 128 x 128 grid (RMS error reported; must be < 0.1 latent units).

Self-checks: the JSON is re-read and evaluated in numpy exactly as docs/terrain-format.md says,
and must match torch's output to 1e-5; an ASCII map of the pitch latent is printed.

Deterministic: fixed seeds and a fixed thread count (results are bit-identical on one machine;
another CPU may round differently in the last bits).

Run:  /usr/bin/python3 scripts/make_demo_terrain.py [OUT]     (default terrains/demo.json)
"""

import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

CONTROL_DIM = 2
LATENT_DIM = 4
FEATURES = 64
GAUSS_SCALE = 1.5
CHANNELS = 64
STEPS = 3000
BATCH = 4096
LR = 3e-3
SEED = 20240601
LATENT_NAMES = ["pitch", "loudness", "brightness", "noisiness"]

# pitch terraces in semitones relative to A3 (220 Hz): A2 C3 D3 E3 G3 A3 C4 E4
TERRACES = np.array([-12, -9, -7, -5, -2, 0, 3, 7]) / 12.0


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def target(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The designed landscape: (...,) coordinates -> (..., 4) latents in demo.ts units."""
    r = np.sqrt(x * x + y * y)
    theta = np.arctan2(y, x)
    # pitch: terraces on wavy, swirling rings (u is continuous: the wobble vanishes at r = 0)
    u = r * (1.0 + 0.22 * np.sin(3.0 * theta + 4.0 * r))
    edges = np.linspace(0.16, 1.2, len(TERRACES) - 1)
    z0 = np.full_like(x, TERRACES[0])
    for i, e in enumerate(edges):
        z0 = z0 + (TERRACES[i + 1] - TERRACES[i]) * sigmoid((u - e) / 0.025)

    def bump(cx, cy, s):
        return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / s)

    # loudness: two hills and a quiet valley on a plain at -0.3 (-19.8 dBFS)
    z1 = (-0.3 + 1.5 * bump(0.55, 0.45, 0.08) + 1.2 * bump(-0.5, -0.55, 0.06)
          - 2.4 * bump(0.4, -0.6, 0.05))
    # brightness: rises towards the upper-right corner, with a gentle ripple
    z2 = -0.6 + 0.9 * (x + y) + 0.25 * np.sin(2.5 * x) * np.cos(2.0 * y)
    # noisiness: a noisy region around the upper-left corner
    d = np.sqrt((x + 1.0) ** 2 + (y - 1.0) ** 2)
    z3 = -2.5 + 4.5 * sigmoid((0.85 - d) / 0.1)
    return np.stack([z0, z1, z2, z3], axis=-1)


class FourierCPPN(nn.Module):
    """nn_terrain's network: Fourier features, 4 Linear+PReLU layers, a Linear output."""

    def __init__(self):
        super().__init__()
        self.register_buffer("B", torch.randn(CONTROL_DIM, FEATURES) * GAUSS_SCALE)
        self.fc_in = nn.Linear(2 * FEATURES, CHANNELS)
        self.fc2 = nn.Linear(CHANNELS, CHANNELS)
        self.fc3 = nn.Linear(CHANNELS, CHANNELS)
        self.fc4 = nn.Linear(CHANNELS, CHANNELS)
        self.fc_out = nn.Linear(CHANNELS, LATENT_DIM)
        self.prelus = nn.ModuleList([nn.PReLU() for _ in range(4)])

    def hidden(self):
        return [self.fc_in, self.fc2, self.fc3, self.fc4]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = 2.0 * math.pi * (x @ self.B)
        h = torch.cat([torch.sin(h), torch.cos(h)], dim=-1)
        for fc, act in zip(self.hidden(), self.prelus):
            h = act(fc(h))
        return self.fc_out(h)


def grid(n: int):
    v = np.linspace(-1.0, 1.0, n)
    gx, gy = np.meshgrid(v, v)          # gy varies along rows
    return gx, gy


def fit() -> FourierCPPN:
    torch.manual_seed(SEED)
    net = FourierCPPN()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, STEPS, eta_min=LR * 0.02)
    rng = np.random.default_rng(SEED)
    gx, gy = grid(128)
    gpts = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)
    gtgt = torch.tensor(target(gx, gy).reshape(-1, LATENT_DIM), dtype=torch.float32)
    t0 = time.perf_counter()
    for step in range(STEPS + 1):
        if step % 500 == 0:
            with torch.no_grad():
                rms = float(torch.sqrt(((net(gpts) - gtgt) ** 2).mean()))
            print("  step %4d  grid RMS error %.4f  (%.0f s)" % (step, rms,
                                                                time.perf_counter() - t0))
        if step == STEPS:
            break
        pts = rng.uniform(-1.0, 1.0, size=(BATCH, CONTROL_DIM))
        x = torch.tensor(pts, dtype=torch.float32)
        tgt = torch.tensor(target(pts[:, 0], pts[:, 1]), dtype=torch.float32)
        loss = ((net(x) - tgt) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return net


# ----------------------------------------------------------------------------- JSON writing
def num(v: float) -> str:
    """9 significant digits: exact for float32, compact."""
    return repr(float("%.9g" % v))


def dump(obj, indent: int = 0) -> str:
    """JSON with one matrix row per line (readable, diff-friendly, compact)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        items = ['%s  %s: %s' % (pad, json.dumps(k), dump(v, indent + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            return "[" + ", ".join(str(v) if isinstance(v, int) else num(v) for v in obj) + "]"
        rows = [pad + "  " + dump(v, indent + 1) for v in obj]
        return "[\n" + ",\n".join(rows) + "\n" + pad + "]"
    if isinstance(obj, float):
        return num(obj)
    return json.dumps(obj)


def to_document(net: FourierCPPN) -> dict:
    layers = []
    for fc, act in zip(net.hidden(), net.prelus):
        layers.append({"weight": fc.weight.tolist(), "bias": fc.bias.tolist(),
                       "prelu": float(act.weight.item())})
    layers.append({"weight": net.fc_out.weight.tolist(), "bias": net.fc_out.bias.tolist()})
    return {
        "format": "terraind-terrain",
        "version": 1,
        "name": "demo",
        "control_dim": CONTROL_DIM,
        "latent_dim": LATENT_DIM,
        "bounds": {"min": [-1, -1], "max": [1, 1]},
        "model": {"id": "demo", "latent_dim": LATENT_DIM, "sample_rate": 48000, "ratio": 512},
        "network": {
            "type": "fourier-cppn",
            "gauss_scale": GAUSS_SCALE,
            "fourier": net.B.tolist(),
            "layers": layers,
        },
    }


def evaluate_json(doc: dict, pts: np.ndarray) -> np.ndarray:
    """docs/terrain-format.md's evaluation, in float64 numpy, for (N, control_dim) points."""
    net = doc["network"]
    lo = np.array(doc["bounds"]["min"], float)
    hi = np.array(doc["bounds"]["max"], float)
    x = np.clip(pts, lo, hi)
    h = 2.0 * math.pi * (x @ np.array(net["fourier"], float))
    h = np.concatenate([np.sin(h), np.cos(h)], axis=1)
    for layer in net["layers"]:
        h = h @ np.array(layer["weight"], float).T + np.array(layer["bias"], float)
        if "prelu" in layer:
            a = layer["prelu"]
            h = np.maximum(h, 0.0) + a * np.minimum(h, 0.0)
    return h


def ascii_map(values: np.ndarray, chars: str, lo: float, hi: float) -> list:
    """values (n, n) with row 0 at y = -1 -> lines with y = +1 on top."""
    idx = np.clip(((values - lo) / (hi - lo) * (len(chars) - 1)).round().astype(int),
                  0, len(chars) - 1)
    return ["".join(chars[i] * 2 for i in row) for row in idx[::-1]]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "terrains", "demo.json")
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    net = fit()
    print("fitted in %.0f s" % (time.perf_counter() - t0))

    # final error on a fine grid, per latent
    gx, gy = grid(128)
    pts = np.stack([gx.ravel(), gy.ravel()], 1)
    tgt = target(gx, gy).reshape(-1, LATENT_DIM)
    with torch.no_grad():
        pred = net(torch.tensor(pts, dtype=torch.float32)).numpy().astype(np.float64)
    err = pred - tgt
    rms = float(np.sqrt(np.mean(err ** 2)))
    per = np.sqrt(np.mean(err ** 2, axis=0))
    print("final RMS error on a 128x128 grid: %.4f latent units (%s)" % (
        rms, ", ".join("%s %.3f" % (n, e) for n, e in zip(LATENT_NAMES, per))))
    assert rms < 0.1, rms

    doc = to_document(net)
    text = dump(doc) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    print("wrote %s (%d bytes)" % (out, len(text.encode())))

    # self-check: numpy evaluation of the file as written == torch
    with open(out) as f:
        back = json.load(f)
    ev = evaluate_json(back, pts)
    diff = float(np.abs(ev - pred).max())
    print("numpy evaluation of the written JSON vs torch: max abs diff %.2e" % diff)
    assert diff < 1e-5, diff

    # ASCII map of the pitch latent (and a glance at the other three)
    n = 16
    sx, sy = grid(n)
    lat = evaluate_json(back, np.stack([sx.ravel(), sy.ravel()], 1)).reshape(n, n, LATENT_DIM)
    notes = "A2 C3 D3 E3 G3 A3 C4 E4".split()
    chars = "01234567"
    step_idx = np.abs(lat[..., 0][..., None] - TERRACES).argmin(-1)
    print("pitch terraces (x -> right, y up; digit = %s):" % " ".join(
        "%s=%s" % (c, nm) for c, nm in zip(chars, notes)))
    for row in step_idx[::-1]:
        print("  " + "".join(chars[i] * 2 for i in row))
    maps = [ascii_map(lat[..., k], " .:-=+*#%@", lo, hi)
            for k, lo, hi in ((1, -3.0, 1.5), (2, -3.0, 2.0), (3, -3.0, 2.0))]
    print("  %-32s  %-32s  %-32s" % ("loudness (' '=quiet '@'=loud)", "brightness (dark..bright)",
                                    "noisiness (tone..noise)"))
    for a, b, c in zip(*maps):
        print("  %s  %s  %s" % (a, b, c))
    print("ok (%.0f s)" % (time.perf_counter() - t0))


if __name__ == "__main__":
    main()
