#!/usr/bin/python3
"""Access control against the live daemon, from a non-loopback address of
this machine (a socket bound to it talks to the daemon through the
network stack, and the daemon sees that address, not loopback).
usage: access_checks.py ADDR UDP_PORT TCP_PORT CONFIG DAEMON_PID

The config file is rewritten and the daemon sent SIGHUP between phases
(osc.allow and osc.remote_admin change at once on a reload)."""
import json
import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from terraind_client import Client  # noqa: E402

addr, udp_port, tcp_port, config_path, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
PASSWORD = "s3cret"


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def encode(path, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, str):
            tags, data = tags + "s", data + pad(a.encode())
        elif isinstance(a, int):
            tags, data = tags + "i", data + struct.pack(">i", a)
        else:
            tags, data = tags + "f", data + struct.pack(">f", a)
    return pad(path.encode()) + pad(tags.encode()) + data


def decode(packet):
    def string(pos):
        end = packet.index(b"\0", pos)
        return packet[pos:end].decode(), (end + 4) & ~3
    path, pos = string(0)
    tags, pos = string(pos)
    args = []
    for t in tags[1:]:
        if t == "s":
            s, pos = string(pos)
            args.append(s)
        elif t in "if":
            args.append(struct.unpack(">" + t, packet[pos:pos + 4])[0])
            pos += 4
    return path, args


class Udp:
    def __init__(self, source):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((source, 0))
        self.target = (addr if source != "127.0.0.1" else "127.0.0.1", udp_port)

    def send(self, path, *args):
        self.s.sendto(encode(path, *args), self.target)

    def reply(self, timeout=5):
        self.s.settimeout(timeout)
        return decode(self.s.recv(65536))

    def nothing_waiting(self):
        self.s.setblocking(False)
        try:
            self.s.recv(65536)
            return False
        except BlockingIOError:
            return True


class Tcp:
    def __init__(self, source):
        self.s = socket.create_connection((addr, tcp_port), timeout=5, source_address=(source, 0))
        self.buf = b""

    def send(self, path, *args):
        p = encode(path, *args)
        self.s.sendall(struct.pack(">I", len(p)) + p)

    def reply(self):
        """The next packet, or None when the daemon closed the connection."""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    packet, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return decode(packet)
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk


def status(timeout=5):
    u = Udp("127.0.0.1")
    u.send("/status")
    path, args = u.reply(timeout)
    assert path == "/status.reply", path
    return dict(zip(args[0::2], args[1::2]))


def wait_for(what, condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.05)


def reconfigure(allow, remote_admin, applied):
    """Rewrites osc.allow / osc.remote_admin, sends SIGHUP, and waits until
    applied() sees the change (the reload is asynchronous)."""
    with open(config_path) as f:
        conf = json.load(f)
    conf["osc"]["allow"], conf["osc"]["remote_admin"] = allow, remote_admin
    with open(config_path, "w") as f:
        json.dump(conf, f)
    os.kill(pid, signal.SIGHUP)
    wait_for("the reload", applied)


def answer_to(path, *args):
    """The daemon's answer to a datagram from `addr`, or None within 0.2 s."""
    u = Udp(addr)
    u.send(path, *args)
    try:
        return u.reply(timeout=0.2)
    except socket.timeout:
        return None


def expect_fail(path, args, address, reason):
    assert path == "/fail" and args[0] == address and reason in args[1], (path, args)


def started():
    try:
        return status(timeout=0.5) is not None
    except socket.timeout:
        return False


wait_for("the daemon to start", started, 10)

# Phase 1: this address is not in osc.allow.
before = status()["refused"]
remote = Udp(addr)
remote.send("/status")
remote.send("/quit")
wait_for("2 refused datagrams", lambda: status()["refused"] >= before + 2)
assert remote.nothing_waiting(), "a refused datagram was answered"
t = Tcp(addr)
assert t.reply() is None, "a TCP connection from outside osc.allow was kept open"
assert status()["refused"] >= before + 3
print("  ok: datagrams from %s outside osc.allow dropped unanswered and counted; its TCP connection closed" % addr)

# Phase 2: allowed, but not for administration.
reconfigure(["%s/32" % addr], False, lambda: answer_to("/status") is not None)
remote = Udp(addr)
remote.send("/xy", 0.1, 0.2)
path, args = remote.reply()
assert path == "/done" and args == ["/xy"], (path, args)
for request in (("/quit",), ("/load/terrain", "demo.json"), ("/train/save", "remote.json")):
    remote.send(*request)
    path, args = remote.reply()
    expect_fail(path, args, request[0], "is refused to remote peers: set osc.remote_admin to true to allow it")
print("  ok: an allowed remote peer plays; /quit, /load/*, /train/save refused to it")

t = Tcp(addr)
t.send("/status")
path, args = t.reply()
expect_fail(path, args, "/status", "needs /auth <password> first")
assert t.reply() is None, "the connection stayed open without /auth"
t = Tcp(addr)
t.send("/auth", "guess")
expect_fail(*t.reply(), "/auth", "wrong password")
assert t.reply() is None, "the connection stayed open after a wrong password"
t = Tcp(addr)
t.send("/auth", PASSWORD)
assert t.reply() == ("/done", ["/auth"])
t.send("/status")
assert t.reply()[0] == "/status.reply"
t.send("/quit")
expect_fail(*t.reply(), "/quit", "is refused to remote peers")
with Client(port=tcp_port, tcp=True, password=PASSWORD) as c:  # loopback too, with the shipped client
    assert c.status()["model"] == "demo"
print("  ok: TCP needs /auth <password> first: anything else, or a wrong password, is refused and closed")

# Phase 3: remote administration on; with a password it needs the TCP session.
reconfigure(["%s/32" % addr], True, lambda: "over UDP while osc.password is set" in answer_to("/quit")[1][1])
t = Tcp(addr)
t.send("/auth", PASSWORD)
assert t.reply() == ("/done", ["/auth"])
t.send("/quit")
assert t.reply() == ("/done", ["/quit"])
print("  ok: with osc.remote_admin, /quit over an authenticated TCP session stops the daemon")
