#!/usr/bin/python3
"""How many MIDI events a JACK client that runs late loses, with the
server asynchronous (JACK 2's default) and synchronous (jackd -S): the
measurement behind test_midi.sh's -S and docs/midi.md's "When JACK runs
late". Not a test of terraind: of the server the tests and users run.

A sender writes one note-on a cycle, each a different one; a receiver
counts what reaches it and, every 40th cycle, takes 12 ms (more than
the two periods of 2.7 ms after which JACK 2 gives up on a late client).
Each mode runs on a private dummy server for 3 s.

Usage: jack_midi_loss.py   (needs jackd and python3-jack-client)"""
import os
import subprocess
import sys
import time

LATE_EVERY, LATE_S, RUN_S = 40, 0.012, 3.0


def measure():
    """Runs on the server named by JACK_DEFAULT_SERVER; returns (sent, received)."""
    import jack
    sender = jack.Client("loss-sender", no_start_server=True)
    receiver = jack.Client("loss-receiver", no_start_server=True)
    out = sender.midi_outports.register("out")
    inp = receiver.midi_inports.register("in")
    state = {"sending": False, "sent": 0, "received": 0, "cycles": 0}

    @sender.set_process_callback
    def send(frames):
        out.clear_buffer()
        if state["sending"]:
            n = state["sent"]
            out.write_midi_event(0, bytes([0x90, n % 128, 1 + n // 128 % 127]))
            state["sent"] = n + 1

    @receiver.set_process_callback
    def receive(frames):
        state["received"] += sum(1 for _ in inp.incoming_midi_events())
        state["cycles"] += 1
        if state["cycles"] % LATE_EVERY == 0:
            time.sleep(LATE_S)

    sender.activate()
    receiver.activate()
    sender.connect(out, inp)
    time.sleep(0.3)  # connected before the first event: none is lost to the connection
    state["sending"] = True
    time.sleep(RUN_S)
    state["sending"] = False
    time.sleep(0.3)  # the last events arrive
    sender.close()
    receiver.close()
    return state["sent"], state["received"]


def run_mode(options):
    server = "midi-loss-%d" % os.getpid()
    env = dict(os.environ, JACK_DEFAULT_SERVER=server, JACK_NO_START_SERVER="1", JACK_NO_AUDIO_RESERVATION="1")
    jackd = subprocess.Popen(["jackd", "-n", server] + options + ["-d", "dummy", "-r", "48000", "-p", "128"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        out = subprocess.run([sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True,
                             timeout=60, check=True).stdout.split()
        return int(out[0]), int(out[1])
    finally:
        jackd.terminate()
        jackd.wait()


def main():
    if sys.argv[1:] == ["--measure"]:
        print(*measure())
        return
    for name, options in (("asynchronous (default)", []), ("synchronous (-S)", ["-S"])):
        sent, received = run_mode(options)
        print("%-24s sent %5d, received %5d, lost %d" % (name, sent, received, sent - received))


if __name__ == "__main__":
    main()
