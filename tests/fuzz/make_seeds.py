#!/usr/bin/python3
"""Writes seed inputs for the fuzz targets into OUTDIR/<target>/: real OSC
packets (encoded here, so that no binary file is committed) and the
project's own JSON files."""
import os
import shutil
import struct
import sys


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def message(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, float):
            tags += "f"
            data += struct.pack(">f", a)
        elif isinstance(a, int):
            tags += "i"
            data += struct.pack(">i", a)
        elif isinstance(a, str):
            tags += "s"
            data += pad(a.encode())
        elif isinstance(a, tuple) and a[0] == "d":
            tags += "d"
            data += struct.pack(">d", a[1])
        elif isinstance(a, tuple) and a[0] == "h":
            tags += "h"
            data += struct.pack(">q", a[1])
    return pad(address.encode()) + pad(tags.encode()) + data


def bundle(*elements, timetag=1):
    out = pad(b"#bundle") + struct.pack(">Q", timetag)
    for e in elements:
        out += struct.pack(">i", len(e)) + e
    return out


def main():
    out = sys.argv[1]
    osc = {
        "xy": message("/xy", 0.25, -0.5),
        "xy_int": message("/xy", 1, 0),
        "xy_double": message("/xy", ("d", 0.5), ("h", 3)),
        "stylus": message("/stylus", 0.1, 0.2, 0.7),
        "gesture": message("/gesture", 0.0, -0.5, -0.5, 0.5, 0.5, 0.5),
        "gesture_stop": message("/gesture/stop"),
        "gain": message("/gain", 0.5),
        "smooth": message("/smooth", 30.0),
        "status": message("/status"),
        "load": message("/load/terrain", "demo.json"),
        "load_model": message("/load/model", "../etc/passwd"),
        "touchosc": message("/1/xy1", 0.3, 0.9),
        "mapped": message("/m/3", 0.5),
        "unknown": message("/what", "x"),
        "bundle": bundle(message("/xy", 0.1, 0.1), bundle(message("/gain", 1.0))),
        "bundle_later": bundle(message("/xy", 0.1, 0.1), timetag=(2**32 * 4000000000)),
        # the looper: applied and answered by the running engine (fuzz_engine.h)
        "loop_record": message("/loop/1/record", 2),
        "loop_set": message("/loop/1/set", "rotate", 90.0),
        "loop_play": message("/loop/0/play"),
        "loop_save": message("/loop/1/save", "x.json"),
        "tempo": message("/tempo", 128.0),
        "point": message("/point/3/store", 0.2, 0.4),
        "point_go": message("/point/3/go", 50.0, 1),
        "session_save": message("/session/save", "s.json", 1),
        "session_load": message("/session/load", "s.json"),
    }
    # osc_session: opcode, peer port, operands (see fuzz_osc_session.c).
    def raw(packet):
        return bytes([0, 1]) + struct.pack(">H", len(packet)) + packet

    def add(n, port=1):
        return bytes([2, port, n] + [128 + 16 * (i % 5) for i in range(n)])

    swap_to_3d = bytes([1, 0, 1])   # terrain 3 -> 4 latents, as in the overflow
    session = {
        "overflow": add(6) * 300 + swap_to_3d + add(6) + add(7) * 300 + bytes([3, 0]),
        "shapes": b"".join(bytes([1, 0, k]) + add(shape) + bytes([3, 0])
                           for k, shape in enumerate([6, 7, 10, 4, 19, 10])),
        "notify": b"".join(bytes([4, port, 30]) for port in range(12)) + bytes([4, 3, 0]),
        "mixed": raw(osc["xy"]) + raw(osc["stylus"]) + bytes([5, 0, 64]) + raw(osc["status"]) +
                 bytes([6, 0]) + bytes([7, 0]),
        "loops": raw(osc["loop_record"]) + raw(osc["xy"]) + raw(osc["loop_record"]) + swap_to_3d +
                 raw(osc["loop_set"]) + raw(osc["loop_save"]) + raw(osc["session_save"]) + raw(osc["tempo"]),
    }

    def frame(packet):
        return struct.pack(">I", len(packet)) + packet

    stream = {
        "frames": bytes([7]) + b"".join(frame(p) for p in osc.values()),
        "split": bytes([200]) + frame(osc["gesture"]) * 50,
        "bad_size": bytes([3]) + frame(osc["xy"]) + struct.pack(">I", 70000) + osc["xy"],
        "zero": bytes([1]) + struct.pack(">I", 0),
    }
    # midi: a set-up byte, then records: header (input, event end 16, flush 32,
    # reset 64), length, MIDI bytes (see fuzz_midi.c).
    def event(data, source=0, flush=False):
        return bytes([source | 16 | (32 if flush else 0), len(data)]) + bytes(data)

    mcm = event([0xB0, 101, 0]) + event([0xB0, 100, 6]) + event([0xB0, 6, 15])
    fingers = b"".join(event([0x91 + f, 48 + 7 * f, 100]) for f in range(4))
    slides = b"".join(event([0xE1 + f, 0, 64 + 8 * f]) + event([0xB1 + f, 74, 30 * f], flush=True) for f in range(4))
    midi = {
        "notes": bytes([0]) + event([0x90, 57, 100]) + event([0x90, 64, 90], flush=True) + event([0x80, 57, 0]),
        "mpe": bytes([1]) + mcm + fingers + slides + event([0xD1, 90]) + event([0xB0, 64, 127]),
        "pads": bytes([2]) + event([0x99, 38, 100]) + event([0xB0, 80, 127]) + event([0xB0, 80, 0]) +
        event([0xB0, 20, 64]) + event([0xC0, 3]),
        "running": bytes([4]) + bytes([16, 9, 0x90, 60, 100, 62, 100, 0xF8, 64, 100, 0xF0]) + event([0xF7, 0x80, 60]),
        "sysex": bytes([0]) + event([0xF0] + [0x11] * 200 + [0xF7]) + bytes([64 | 3, 0]),
    }
    targets = {"osc": osc, "osc_session": session, "osc_stream": stream, "midi": midi}
    for name in targets:
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for key, data in targets[name].items():
            with open(os.path.join(out, name, key), "wb") as f:
                f.write(data)
    files = {
        "config": ["config/terraind.json", "config/touchosc-portrait.json"],
        "gesture": ["terrains/demo-gesture.json"],
        "terrain_json": ["tests/fuzz/seed-terrain.json"],
    }
    for name, paths in files.items():
        os.makedirs(os.path.join(out, name), exist_ok=True)
        for p in paths:
            shutil.copy(p, os.path.join(out, name, os.path.basename(p)))
    # fuzz_config: the configuration, NUL, then a path to confine under its allowed_dirs
    confined = {"inside": b"demo.ts", "outside": b"../../etc/passwd", "dir": b"models/../terrains/x.json",
                "link_like": b"/proc/self/cwd/models/demo.ts"}
    for key, path in confined.items():
        with open("config/terraind.json", "rb") as f:
            text = f.read()
        with open(os.path.join(out, "config", "path_" + key), "wb") as f:
            f.write(text + b"\0" + path)
    with open(os.path.join(out, "gesture", "plain.json"), "w") as f:
        f.write("[[0, 0.1, 0.2], [0.5, -0.3, 0.4, 0.1]]")


if __name__ == "__main__":
    main()
