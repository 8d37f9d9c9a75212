/* libFuzzer target: the OSC dispatch path (osc_handle_packet), as the
 * network thread runs it, against a running engine (fuzz_engine.h), with
 * replies and loads discarded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_engine.h"
#include "log.h"
#include "osc.h"

static engine *fuzz_engine;
static osc_context fuzz_osc;
static terrain *fuzz_terrain;

static void drop_reply(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)ctx, (void)peer, (void)data, (void)size;
}

static void setup(void)
{
	char err[256];
	terrain_shape shape = {.control_dim = 2, .latent_dim = 4, .n_features = 4, .n_layers = 2, .widths = {8, 4}};
	config c;
	config_defaults(&c);
	c.n_mappings = 2;
	c.mappings[0] = (config_mapping){.address = "/1/xy1", .to = MAP_XY, .in_max = {1, 1, 1}};
	c.mappings[1] = (config_mapping){
	    .address = "/m/*", .to = MAP_PRESSURE, .swap = 0, .in_min = {-1, -1, -1}, .in_max = {1, 1, 1}};
	log_set_level(LOG_ERROR);
	if (terrain_create(&shape, &fuzz_terrain, err, sizeof err) < 0 ||
	    terrain_finish(fuzz_terrain, err, sizeof err) < 0)
		abort();
	fuzz_engine = fuzz_running_engine();
	osc_callbacks cb = {.send = drop_reply, .request = fuzz_drop_request};
	osc_init(&fuzz_osc, fuzz_engine, &c, fuzz_terrain, cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_engine)
		setup();
	/* The network thread hands over a datagram buffer: copy to an exactly
	 * sized allocation so ASan sees any read past its end. */
	uint8_t *packet = malloc(size ? size : 1);
	memcpy(packet, data, size);
	osc_peer peer = {.connection = 0};
	osc_handle_packet(&fuzz_osc, packet, size, &peer);
	free(packet);
	fuzz_settle(&fuzz_osc);
	return 0;
}
