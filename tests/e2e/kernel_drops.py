#!/usr/bin/python3
"""While the daemon is stopped (SIGSTOP), sends more large datagrams than
its socket can queue; after SIGCONT, /status must count what the kernel
dropped (udp_dropped), so that a flood's losses are never silent.
usage: kernel_drops.py PORT PID"""
import os
import signal
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402
from waiting import wait_until  # noqa: E402

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
COUNT = 200  # of 60 kB: far more than the 1 MB socket queue holds


def stopped(pid):
    """Every thread of the process is stopped (SIGSTOP is delivered asynchronously)."""
    tasks = "/proc/%d/task" % pid
    for tid in os.listdir(tasks):
        with open("%s/%s/stat" % (tasks, tid)) as f:
            if f.read().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
                return False
    return True


def dropped_above(c, before):
    """udp_dropped once it is above `before`, else None (also while the
    request itself is lost: the queue may still be full)."""
    try:
        count = c.status(timeout=0.5)["udp_dropped"]
    except TimeoutError:
        return None
    return count if count > before else None


with Client(port=PORT, timeout=5) as c:
    before = c.status()["udp_dropped"]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    packet = b"/blob\0\0\0,b\0\0" + (60000).to_bytes(4, "big") + b"\0" * 60000
    os.kill(PID, signal.SIGSTOP)
    try:
        wait_until(lambda: stopped(PID), "the daemon is stopped")
        for _ in range(COUNT):
            s.sendto(packet, ("127.0.0.1", PORT))
    finally:
        os.kill(PID, signal.SIGCONT)
    after = wait_until(lambda: dropped_above(c, before), "the kernel's drops are counted in udp_dropped")
print("  udp_dropped %d -> %d after %d datagrams of 60 kB sent to a stopped daemon" % (before, after, COUNT))
print("  ok: the datagrams the kernel dropped are counted")
