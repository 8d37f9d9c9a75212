"""A JACK MIDI output for the end-to-end tests (python3-jack-client, on
the test's private JACK server): events queued from the test's thread go
out at the next process cycle, in order, one JACK MIDI event each, bytes
as given (malformed ones too: JACK does not check them)."""
import queue

import jack


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
        self.client = jack.Client(client_name, no_start_server=True)
        self.port = self.client.midi_outports.register("out")
        self.events = queue.Queue()
        self.client.set_process_callback(self._process)
        self.client.activate()

    @property
    def name(self):
        return self.port.name

    def _process(self, frames):
        try:
            self._write(frames)
        except Exception:  # JACK would drop the client without a word
            import traceback
            traceback.print_exc()
            raise

    def _write(self, frames):
        self.port.clear_buffer()
        for _ in range(64):  # what fits one cycle's buffer easily
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            self.port.write_midi_event(0, event)

    def send(self, *events):
        for e in events:
            self.events.put(bytes(e))

    def close(self):
        """Unplugs it: the port goes away."""
        self.client.deactivate()
        self.client.close()
