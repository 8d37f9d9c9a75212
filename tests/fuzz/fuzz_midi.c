/* libFuzzer target: MIDI as the daemon plays it: bytes of several inputs,
 * cut into events at fuzzer-chosen places, through midi_play into the
 * real OSC dispatcher (midi_bridge), with replies and loads discarded.
 *
 * Input: one byte choosing the set-up (bit 0: an MPE lower zone, bit 1:
 * configured mappings for pads, loops, grains and loads besides the
 * defaults, bit 2: a 3-D terrain), then records of a header byte (bits
 * 0-3: the input, bit 4: the event ends here, bit 5: the batch ends (a
 * flush), bit 6: the input goes away) and a length byte, then that many
 * bytes of MIDI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "midi_bridge.h"

enum { SETUPS = 8 };

static engine *fuzz_engine;
static osc_context fuzz_osc[SETUPS];
static midi_bridge *fuzz_bridge[SETUPS];

static void drop_reply(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)ctx, (void)peer, (void)data, (void)size;
}

static int drop_request(void *ctx, const osc_request *req)
{
	(void)ctx;
	if (osc_request_has_file(req))
		close(req->fd);
	return 0;
}

static const char *const mappings[] = {
    "{\"midi\": \"note 36-51\", \"channel\": 10, \"to\": \"point\", \"point\": 0, \"glide_ms\": 50}",
    "{\"midi\": \"cc 80\", \"to\": \"loop\", \"loop\": 0, \"command\": \"record\"}",
    "{\"midi\": \"cc 81\", \"to\": \"loop\", \"loop\": 1, \"command\": \"play\"}",
    "{\"midi\": \"cc 20\", \"to\": \"grain\", \"setting\": \"size\", \"out\": [10, 200]}",
    "{\"midi\": \"cc 21\", \"to\": \"grain\", \"setting\": \"on\"}",
    "{\"midi\": \"cc 22\", \"to\": \"x\", \"voice\": 3, \"curve\": 2}",
    "{\"midi\": \"cc 23\", \"to\": \"gain\", \"voice\": \"output\"}",
    "{\"midi\": \"program\", \"to\": \"load_terrain\", \"path\": \"demo.json\"}",
    "{\"midi\": \"note 60-72\", \"to\": \"voice\", \"start\": \"point\", \"point\": 4}",
    "{\"midi\": \"poly_pressure\", \"to\": \"y\", \"invert\": true}",
};

static void set_up(int k)
{
	char err[256];
	terrain *t;
	terrain_shape shape = {
	    .control_dim = k & 4 ? 3 : 2, .latent_dim = 4, .n_features = 4, .n_layers = 2, .widths = {8, 4}};
	config c;
	config_defaults(&c);
	c.midi.mpe_lower = k & 1 ? 15 : 0;
	for (size_t i = 0; k & 2 && i < sizeof mappings / sizeof mappings[0]; i++) {
		cJSON *m = cJSON_Parse(mappings[i]);
		if (midi_config_parse_mapping(&c.midi, m, err, sizeof err) < 0)
			abort();
		cJSON_Delete(m);
	}
	if (terrain_create(&shape, &t, err, sizeof err) < 0 || terrain_finish(t, err, sizeof err) < 0)
		abort();
	osc_callbacks cb = {.send = drop_reply, .request = drop_request};
	osc_init(&fuzz_osc[k], fuzz_engine, &c, t, cb);
	fuzz_bridge[k] = calloc(1, sizeof *fuzz_bridge[k]);
	midi_bridge_init(fuzz_bridge[k], &fuzz_osc[k], &c.midi, engine_max_voices(fuzz_engine));
	terrain_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (!fuzz_engine) {
		log_set_level(LOG_ERROR);
		if (engine_create(48000, 128, 0, 0, &fuzz_engine, err, sizeof err) < 0)
			abort();
	}
	if (size < 1)
		return 0;
	int k = data[0] % SETUPS;
	if (!fuzz_bridge[k])
		set_up(k);
	midi_bridge *b = fuzz_bridge[k];
	for (int s = 0; s < MIDI_SOURCES; s++) /* each input starts fresh */
		midi_bridge_reset(b, s);
	midi_bridge_begin(b);
	for (size_t at = 1; at + 2 <= size;) {
		uint8_t header = data[at], n = data[at + 1];
		at += 2;
		if (n > size - at)
			n = (uint8_t)(size - at);
		uint8_t *bytes = malloc(n ? n : 1); /* exactly sized: ASan sees a read past its end */
		memcpy(bytes, data + at, n);
		at += n;
		int source = header & 15;
		if (header & 64)
			midi_bridge_reset(b, source);
		else
			midi_bridge_bytes(b, source, bytes, n, header & 16);
		free(bytes);
		if (header & 32) {
			midi_bridge_end(b);
			midi_bridge_begin(b);
		}
	}
	midi_bridge_end(b);
	engine_discard_controls(fuzz_engine); /* no render thread here: free what was queued */
	return 0;
}
