"""A JACK MIDI output for the end-to-end tests (python3-jack-client, on
the test's private JACK server). MidiOut runs the JACK client in a process
of its own, fed through a pipe, so that its process callback never waits
for this process's interpreter lock while the test is busy (JACK drops a
client whose callback stalls). Events sent go out at the next cycle, in
order, one JACK MIDI event each, bytes as given (malformed ones too: JACK
does not check them).

Run as a program (what MidiOut does): midi_out.py CLIENT_NAME, then lines
of hex bytes on standard input, one event a line; it prints "ready" once
its port exists."""
import subprocess
import sys
import time


def note_on(channel, key, velocity):
    return [0x90 | channel, key, velocity]


def note_off(channel, key):
    return [0x80 | channel, key, 0]


def control(channel, number, value):
    return [0xB0 | channel, number, value]


def pressure(channel, value):
    return [0xD0 | channel, value]


def bend(channel, value):
    """value -8192 .. 8191"""
    raw = value + 8192
    return [0xE0 | channel, raw & 0x7F, raw >> 7]


def mpe_configuration(members, upper=False):
    """RPN 6 on the zone's manager channel (MPE Configuration Message)."""
    ch = 15 if upper else 0
    return [control(ch, 101, 0), control(ch, 100, 6), control(ch, 6, members)]


class MidiOut:
    def __init__(self, client_name):
        self.name = client_name + ":out"
        self.process = subprocess.Popen([sys.executable, __file__, client_name], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the MIDI sender %s did not start" % client_name)

    def send(self, *events):
        for e in events:
            self.process.stdin.write(bytes(e).hex() + "\n")
        self.process.stdin.flush()

    def close(self):
        """Unplugs it: the client and its port go away."""
        self.process.stdin.close()
        self.process.wait(timeout=10)


def serve(client_name):
    import queue
    import jack
    events = queue.Queue()
    client = jack.Client(client_name, no_start_server=True)
    port = client.midi_outports.register("out")

    @client.set_process_callback
    def process(frames):
        port.clear_buffer()
        for _ in range(64):  # what fits one cycle's buffer easily
            try:
                port.write_midi_event(0, events.get_nowait())
            except queue.Empty:
                return

    client.activate()
    print("ready", flush=True)
    for line in sys.stdin:
        events.put(bytes.fromhex(line.strip()))
    while not events.empty():  # what was sent goes out before the port goes
        time.sleep(0.01)
    client.deactivate()
    client.close()


if __name__ == "__main__":
    serve(sys.argv[1])
