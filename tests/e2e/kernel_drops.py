#!/usr/bin/python3
"""While the daemon is stopped (SIGSTOP), sends more large datagrams than
its socket can queue; after SIGCONT, /status must count what the kernel
dropped (udp_dropped), so that a flood's losses are never silent.
usage: kernel_drops.py PORT PID"""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
COUNT = 200  # of 60 kB: far more than the 1 MB socket queue holds

with Client(port=PORT, timeout=5) as c:
    before = c.status()["udp_dropped"]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    packet = b"/blob\0\0\0,b\0\0" + (60000).to_bytes(4, "big") + b"\0" * 60000
    os.kill(PID, signal.SIGSTOP)
    try:
        for _ in range(COUNT):
            s.sendto(packet, ("127.0.0.1", PORT))
    finally:
        os.kill(PID, signal.SIGCONT)
    time.sleep(0.2)
    c.drain()
    after = c.status()["udp_dropped"]
print("  udp_dropped %d -> %d after %d datagrams of 60 kB sent to a stopped daemon" % (before, after, COUNT))
assert after > before, "the kernel's drops were not counted"
print("  ok: the datagrams the kernel dropped are counted")
