#!/usr/bin/python3
"""Writes config/terraind.touchosc: a TouchOSC (mk1, "TouchOSC Mk1" in the
current app) layout for terraind, portrait, one page:

  xy1      a large XY pad      -> /1/xy1 x y      (cursor)
  fader2   a horizontal fader  -> /1/fader2 v     (pressure: 3rd axis or gain)
  fader1   a horizontal fader  -> /1/fader1 v     (gain)
  push1    a button            -> /1/push1 1|0    (load the terrain set in the profile)
  push2    a button            -> /1/push2 1|0    (load the model set in the profile)

The matching mapping profile is config/touchosc-portrait.json. A .touchosc
file is a zip holding index.xml; control names are base64 in it, as the
TouchOSC Editor writes them. Open it in the TouchOSC Editor to change
anything, then sync it to the tablet (docs/getting-started.md)."""
import base64
import os
import sys
import zipfile

W, H = 768, 1024


def b64(text):
    return base64.b64encode(text.encode()).decode()


def control(name, kind, x, y, w, h, color, **extra):
    attrs = {"name": b64(name), "x": x, "y": y, "w": w, "h": h, "color": color,
             "scalef": "0.0", "scalet": "1.0", "type": kind}
    attrs.update(extra)
    return "<control " + " ".join('%s="%s"' % (k, v) for k, v in attrs.items()) + " ></control>"


def label(name, text, x, y, w, h):
    return control(name, "labelh", x, y, w, h, "gray", text=b64(text), size="14", background="false",
                   outline="false")


def layout():
    controls = [
        control("xy1", "xy", 20, 20, 728, 728, "green", inverted_x="false", inverted_y="false", rev_xy="false"),
        label("label1", "pressure", 20, 760, 200, 30),
        control("fader2", "faderh", 20, 790, 728, 60, "orange", response="absolute", inverted="false",
                centered="false"),
        label("label2", "gain", 20, 860, 200, 30),
        control("fader1", "faderh", 20, 890, 728, 60, "yellow", response="absolute", inverted="false",
                centered="false"),
        control("push1", "push", 20, 960, 354, 50, "blue", local_off="false", sp="true", sr="true"),
        control("push2", "push", 394, 960, 354, 50, "purple", local_off="false", sp="true", sr="true"),
    ]
    page = ('<tabpage name="%s" scalef="0.0" scalet="1.0" >' % b64("1")) + "".join(controls) + "</tabpage>"
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<layout version="17" mode="3" w="%d" h="%d" orientation="vertical">%s</layout>' % (W, H, page))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "config",
                                                             "terraind.touchosc")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("index.xml", date_time=(2026, 1, 1, 0, 0, 0))  # reproducible bytes
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, layout())
    print("wrote", out)


if __name__ == "__main__":
    main()
