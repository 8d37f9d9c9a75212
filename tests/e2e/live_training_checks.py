#!/usr/bin/python3
"""Live training over OSC while the daemon plays: pairs taken from the
demo terrain along a line, /train/run with progress replies, the trained
terrain swapped in without an xrun, /train/save. usage: PORT SAVE_PATH"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client, TerraindError  # noqa: E402

port, save_path, terraind = int(sys.argv[1]), sys.argv[2], sys.argv[3]
coords = [(-0.8 + 1.6 * i / 63, 0.3) for i in range(64)]
out = subprocess.run([terraind, "eval", "terrains/demo.json"], input="\n".join("%f %f" % c for c in coords),
                     capture_output=True, text=True, check=True).stdout
latents = [[float(v) for v in line.split()] for line in out.splitlines()]

with Client(port=port, timeout=60) as c:
    deadline = time.monotonic() + 10
    while True:
        try:
            before = c.status(timeout=0.5)
            break
        except TimeoutError:
            assert time.monotonic() < deadline, "the daemon did not start"
    try:
        c.request("/train/run", 5)
        raise AssertionError("training without pairs was accepted")
    except TerraindError as e:
        assert "add some with /train/add" in str(e), e
    for (x, y), z in zip(coords, latents):
        c.request("/train/add", x, y, *z)
    try:
        c.request("/train/add", 0.1, 0.2)
        raise AssertionError("a pair without latents was accepted")
    except TerraindError as e:
        assert "expects 6 numbers" in str(e), e
    print("  ok: 64 pairs added; bad ones refused")
    c.send("/train/run", 30)
    progress = []
    while True:
        path, args = c.wait_reply(lambda p, a: p in ("/train/progress", "/done", "/fail"))
        if path == "/train/progress":
            progress.append(args)
            continue
        assert path == "/done" and args[0] == "/train/run", (path, args)
        break
    assert len(progress) == 30 and progress[-1][:2] == [30, 30], progress[-1]
    assert progress[-1][2] < progress[0][2], "the loss did not go down"
    print("  ok: /train/run 30 -> 30 progress replies, loss %.4f -> %.4f, then /done" % (progress[0][2], progress[-1][2]))
    after = c.status()
    assert after["terrain"] == "live", after["terrain"]
    if not os.environ.get("TERRAIND_SANITIZER"):  # real time holds in the normal build only
        assert after["xruns"] == before["xruns"], "xruns while training"
    assert after["frames"] > before["frames"]
    print("  ok: the trained terrain plays, no xrun during training")
    try:
        c.request("/train/save", "/etc/terrain.json")
        raise AssertionError("saving outside the allowed directories was accepted")
    except TerraindError as e:
        assert "outside the allowed directories" in str(e), e
    c.request("/train/save", save_path)
    print("  ok: /train/save confined, and saved")
    with open(save_path) as f:
        saved = f.read()
    with open(save_path, "w") as f:
        f.write("an older take\n")
    try:
        c.request("/train/save", save_path)
        raise AssertionError("an existing file was overwritten without being asked")
    except TerraindError as e:
        assert "already exists" in str(e) and "add 1 after the path" in str(e), e
    with open(save_path) as f:
        assert f.read() == "an older take\n", "the existing file changed"
    c.request("/train/save", save_path, 1)
    with open(save_path) as f:
        assert f.read() == saved, "/train/save PATH 1 did not replace the file"
    print("  ok: an existing file is kept unless /train/save PATH 1")
    with open("models/demo.ts", "rb") as f:
        demo = f.read()
    for path in ("demo.ts", "models/demo.ts", save_path[:-5] + ".ts"):
        try:
            c.request("/train/save", path, 1)
            raise AssertionError("/train/save %s was accepted" % path)
        except TerraindError as e:
            assert "a terrain is saved as a .json file" in str(e), e
    with open("models/demo.ts", "rb") as f:
        assert f.read() == demo, "the demo model changed"
    print("  ok: /train/save writes terrain files (.json) only: demo.ts is safe")
