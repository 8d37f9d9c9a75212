#!/usr/bin/python3
"""The TouchOSC layout and its mapping profile agree, and the daemon
started with the profile does what the layout's controls ask.
usage: touchosc_checks.py PORT"""
import base64
import json
import os
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

layout = ET.fromstring(zipfile.ZipFile("config/terraind.touchosc").read("index.xml"))
page = base64.b64decode(layout.find("tabpage").get("name")).decode()
names = {base64.b64decode(c.get("name")).decode(): c.get("type") for c in layout.iter("control")}
profile = json.load(open("config/touchosc-portrait.json"))
mapped = {m["address"] for m in profile["mappings"]}
for name, kind in names.items():
    if kind != "labelh":
        assert "/%s/%s" % (page, name) in mapped, "layout control %s is not mapped" % name
print("  ok: every control of config/terraind.touchosc is mapped in config/touchosc-portrait.json")

with Client(port=int(sys.argv[1]), timeout=10) as c:
    deadline = time.monotonic() + 10
    while True:
        try:
            c.status(timeout=0.5)
            break
        except TimeoutError:
            assert time.monotonic() < deadline, "the daemon did not start"
    c.notify(20)
    c.send("/1/fader1", 0.5)                  # gain (the profile answers controls only with /fail)
    c.send("/1/xy1", 0.25, 1.0)               # portrait pad: swapped, y inverted
    # The render thread applies the move at its next frame: watch /cursor until it shows.
    def cursor_at(x, y):
        _, cursor = c.wait_reply(lambda p, a: p == "/cursor")
        print("  /cursor", cursor[:2])
        return abs(cursor[0] - x) < 1e-6 and abs(cursor[1] - y) < 1e-6 and cursor

    cursor = wait_until(lambda: cursor_at(1.0, 0.5), "the pad moves the cursor to (1, 0.5)")
    wait_until(lambda: abs(c.status()["gain"] - 0.5) < 1e-6, "the fader sets the gain to 0.5")
    print("  ok: pad and fader reach the cursor and the gain (cursor %s)" % cursor[:2])
    # A MultiXY pad's touch 2 plays voice 1 (swapped, y inverted like the pad); its touch-up releases it.
    c.send("/1/multixy1/2/z", 1.0)
    c.send("/1/multixy1/2", 0.25, 1.0)
    _, touch = wait_until(lambda: c.wait_reply(lambda p, a: p == "/voice/1/cursor"), "a /voice/1/cursor update")
    assert abs(touch[0] - 1.0) < 1e-6 and abs(touch[1] - 0.5) < 1e-6, touch
    wait_until(lambda: c.status()["voices_active"] == 2, "touch 2 sounds a second voice")
    c.send("/1/multixy1/2/z", 0.0)
    wait_until(lambda: c.status()["voices_active"] == 1, "the touch-up releases voice 1")
    print("  ok: /1/multixy1/2 plays voice 1 at %s, /1/multixy1/2/z 0 releases it" % touch[:2])
    c.request("/1/push1", 1.0, timeout=30)    # the button loads the terrain set in the profile
    c.send("/1/push1", 0.0)
    print("  ok: the button loads the terrain")
