#!/usr/bin/python3
"""After SIGHUP: the new mapping works, the sound never stopped, and OSC
over TCP answers too; then the last two seconds, which recording_checks.py
reads: one second at the demo terrain's low pitch point, one at its high
one. Arguments: udp port, tcp port, frames before."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402

udp, tcp = int(sys.argv[1]), int(sys.argv[2])
with Client(port=udp) as c:
    deadline = time.monotonic() + 5
    while True:
        try:
            c.request("/hup/xy", 0.5, 0.5)
            break
        except Exception as e:  # the reload may still be in flight
            if time.monotonic() > deadline:
                raise AssertionError("the mapping added before SIGHUP is not active: %s" % e)
            time.sleep(0.1)
    print("  ok: a mapping added to the config is active after SIGHUP")
    s = c.status()
    assert s["frames"] > int(sys.argv[3]), "the sound stopped during the reload"
    print("  ok: the sound went on during the reload (%d frames)" % s["frames"])
with Client(port=tcp, tcp=True) as c:
    s = c.status()
    assert s["model"] == "demo"
    c.xy(0.1, 0.1)
    print("  ok: OSC over TCP: /status.reply and /done")
with Client(port=udp) as c:
    c.smooth(0)
    c.xy(0.0, 0.0)
    time.sleep(1.0)
    c.xy(0.4, 1.0)
    time.sleep(1.0)
