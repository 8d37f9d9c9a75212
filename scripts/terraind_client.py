#!/usr/bin/python3
"""terraind_client: talk to a running terraind over OSC (python3-liblo).

As a module:

    from terraind_client import Client
    with Client(port=9000) as c:
        c.xy(0.2, 0.7)            # waits for /done, raises TerraindError on /fail
        print(c.status())          # {'model': 'demo', 'xruns': 0, ...}

As a command:

    scripts/terraind_client.py status
    scripts/terraind_client.py xy 0.2 0.7
    scripts/terraind_client.py send /gain 0.5
    scripts/terraind_client.py load-terrain terrains/demo.json
    scripts/terraind_client.py record-gesture take1.json --listen 9001   # controller -> 9001 -> terraind
    scripts/terraind_client.py play-gesture take1.json
    scripts/terraind_client.py watch                                     # /notify: cursor and latents

Replies come back to the socket a request was sent from, as with scsynth:
`/done <address>`, `/fail <address> <reason>`, `/status.reply key value ...`.
"""
import argparse
import json
import sys
import time

import liblo

# A /notify subscription lasts 10 s (OSC_NOTIFY_LEASE_S); clients renew well before.
NOTIFY_RENEW_S = 3.0


class TerraindError(Exception):
    """A /fail reply: the daemon's sentence is the message."""


class Client:
    def __init__(self, host="127.0.0.1", port=9000, timeout=5.0, tcp=False, password=None):
        proto = liblo.TCP if tcp else liblo.UDP
        self.target = liblo.Address(host, port, proto)
        self.server = liblo.Server(0, proto)
        self.server.add_method(None, None, self._on_message)
        self.timeout = timeout
        self.replies = []
        if password is not None:  # osc.password: a TCP session starts with /auth
            self.request("/auth", password)

    def close(self):
        self.server.free()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _on_message(self, path, args, types, src):
        self.replies.append((path, list(args)))

    def send(self, path, *args):
        """Sends without waiting."""
        self.server.send(self.target, path, *args)

    def drain(self, quiet=0.2):
        """Discards replies until none has arrived for `quiet` seconds
        (after a stream of unacknowledged sends)."""
        while self.server.recv(int(quiet * 1000)):
            pass
        self.replies.clear()

    def wait_reply(self, match, timeout=None):
        """Waits for the first reply for which match(path, args) is true."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, (path, args) in enumerate(self.replies):
                if match(path, args):
                    del self.replies[i]
                    return path, args
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from terraind within %.1f s" % (timeout or self.timeout))
            self.server.recv(int(min(left, 0.1) * 1000) + 1)

    def request(self, path, *args, timeout=None):
        """Sends and waits for /done or /fail about `path`."""
        self.send(path, *args)
        reply, rargs = self.wait_reply(
            lambda p, a: p in ("/done", "/fail") and a and a[0] == path, timeout)
        if reply == "/fail":
            raise TerraindError("%s: %s" % (path, rargs[1] if len(rargs) > 1 else "failed"))
        return rargs

    def status(self, timeout=None):
        """The /status.reply as a dict."""
        self.send("/status")
        _, args = self.wait_reply(lambda p, a: p == "/status.reply", timeout)
        return dict(zip(args[0::2], args[1::2]))

    def xy(self, x, y):
        return self.request("/xy", float(x), float(y))

    def stylus(self, x, y, pressure):
        return self.request("/stylus", float(x), float(y), float(pressure))

    def gain(self, g):
        return self.request("/gain", float(g))

    def smooth(self, ms):
        return self.request("/smooth", float(ms))

    def gesture(self, points):
        """points: [(t, x, y), ...]"""
        flat = [float(v) for p in points for v in p]
        return self.request("/gesture", *flat)

    def load_model(self, path, timeout=30):
        return self.request("/load/model", path, timeout=timeout)

    def load_terrain(self, path, timeout=30):
        return self.request("/load/terrain", path, timeout=timeout)

    def quit(self):
        return self.request("/quit")

    def notify(self, rate_hz=30):
        """Subscribes this client to /cursor, /latent and /status.reply pushes for 10 s;
        call it again within that time to renew (every NOTIFY_RENEW_S seconds)."""
        return self.request("/notify", float(rate_hz))


def load_gesture(path):
    """Points [(t, x, y, ...), ...] of a gesture file (docs/gesture-format.md)."""
    with open(path) as f:
        data = json.load(f)
    return data["points"] if isinstance(data, dict) else data


def save_gesture(path, points):
    with open(path, "w") as f:
        json.dump({"format": "terraind-gesture", "version": 1, "points": points}, f, indent=1)
        f.write("\n")


def record_gesture(client, listen_port, path, seconds=None, addresses=("/xy", "/stylus")):
    """Listens on `listen_port` for cursor messages from a controller,
    forwards each to terraind, and saves them as a gesture (times from the
    first message) when interrupted or after `seconds`."""
    points, t0 = [], [None]
    proxy = liblo.Server(listen_port)

    def on_cursor(path_, args, types, src):
        now = time.monotonic()
        if t0[0] is None:
            t0[0] = now
        coords = [float(a) for a in args[:3 if path_ == "/stylus" else 2]]
        points.append([round(now - t0[0], 4)] + coords[:2])
        client.send(path_, *[float(a) for a in args])

    for address in addresses:
        proxy.add_method(address, None, on_cursor)
    end = time.monotonic() + seconds if seconds else None
    try:
        while end is None or time.monotonic() < end:
            proxy.recv(50)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.free()
    save_gesture(path, points)
    return points


def number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def main():
    ap = argparse.ArgumentParser(description="Talk to a running terraind over OSC.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--tcp", action="store_true", help="use OSC over TCP (the daemon's tcp_port)")
    ap.add_argument("--password", help="send /auth PASSWORD first (TCP, when osc.password is set)")
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="print /status.reply")
    p = sub.add_parser("xy", help="move the cursor")
    p.add_argument("x", type=float)
    p.add_argument("y", type=float)
    p = sub.add_parser("gain", help="set the output gain (0-4)")
    p.add_argument("gain", type=float)
    p = sub.add_parser("load-model", help="load a model (inside the allowed directories)")
    p.add_argument("path")
    p = sub.add_parser("load-terrain", help="load a terrain (inside the allowed directories)")
    p.add_argument("path")
    sub.add_parser("quit", help="stop the daemon")
    p = sub.add_parser("play-gesture", help="play a gesture file on the daemon")
    p.add_argument("path")
    p = sub.add_parser("record-gesture", help="record cursor moves sent to --listen into a gesture file")
    p.add_argument("path")
    p.add_argument("--listen", type=int, default=9001, help="port the controller sends to")
    p.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl-C)")
    p = sub.add_parser("watch", help="print /notify updates (cursor, latents, status)")
    p.add_argument("--rate", type=float, default=10)
    p.add_argument("--seconds", type=float)
    p = sub.add_parser("send", help="send any message and wait for its /done or /fail")
    p.add_argument("address")
    p.add_argument("args", nargs="*")
    a = ap.parse_args()
    try:
        with Client(a.host, a.port, tcp=a.tcp, password=a.password) as c:
            if a.command == "status":
                for k, v in c.status().items():
                    print("%-18s %s" % (k, v))
            elif a.command == "xy":
                c.xy(a.x, a.y)
            elif a.command == "gain":
                c.gain(a.gain)
            elif a.command == "load-model":
                c.load_model(a.path)
            elif a.command == "load-terrain":
                c.load_terrain(a.path)
            elif a.command == "quit":
                c.quit()
            elif a.command == "play-gesture":
                c.gesture(load_gesture(a.path))
            elif a.command == "record-gesture":
                n = len(record_gesture(c, a.listen, a.path, a.seconds))
                print("recorded %d points to %s" % (n, a.path))
            elif a.command == "watch":
                c.notify(a.rate)
                renewed = time.monotonic()
                end = time.monotonic() + a.seconds if a.seconds else None
                while end is None or time.monotonic() < end:
                    if time.monotonic() - renewed > NOTIFY_RENEW_S:
                        c.notify(a.rate)   # a subscription lasts 10 s unless renewed
                        renewed = time.monotonic()
                    if c.server.recv(100):
                        for path, args in c.replies:
                            print(path, *("%.4g" % v if isinstance(v, float) else v for v in args))
                        c.replies.clear()
            else:
                c.request(a.address, *[number(x) if x[:1].isdigit() or x[:1] in "-." else x for x in a.args])
    except (TerraindError, TimeoutError) as e:
        print("terraind_client: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
