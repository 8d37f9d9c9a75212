/* libFuzzer target: sequences of what a session does to the control path,
 * as the network and worker threads do it: OSC packets, terrains of other
 * shapes swapped in (2-D and 3-D, other latent sizes), training pairs
 * added, cleared and copied out for /train/run, /notify subscriptions from
 * many ports expiring and renewing, config reloads; against a running
 * engine (fuzz_engine.h), so that loop commands are applied and answered
 * between packets as live. The /train/add heap
 * overflow of issue 14 needed a terrain swap between adds: out of reach of
 * the one-packet fuzzer, in reach of this one (under ASan).
 *
 * Input: a sequence of operations, each an opcode byte then its operands. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "fuzz_engine.h"
#include "log.h"
#include "osc.h"

enum { N_SHAPES = 6 };
static const int shapes[N_SHAPES][2] = {{2, 4}, {3, 4}, {2, 8}, {1, 3}, {3, 16}, {8, 2}};

static engine *fuzz_engine;
static osc_context fuzz_osc;
static terrain *terrains[N_SHAPES];
static config fuzz_config;

static void drop_reply(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)ctx, (void)peer, (void)data, (void)size;
}

static void setup(void)
{
	char err[256];
	log_set_level(LOG_ERROR);
	for (int i = 0; i < N_SHAPES; i++) {
		terrain_shape shape = {.control_dim = shapes[i][0],
		                       .latent_dim = shapes[i][1],
		                       .n_features = 4,
		                       .n_layers = 2,
		                       .widths = {8, shapes[i][1]}};
		if (terrain_create(&shape, &terrains[i], err, sizeof err) < 0)
			abort();
		for (int k = 0; k < shapes[i][0]; k++)
			terrains[i]->bounds_min[k] = -1, terrains[i]->bounds_max[k] = 1;
		if (terrain_finish(terrains[i], err, sizeof err) < 0)
			abort();
	}
	config_defaults(&fuzz_config);
	fuzz_engine = fuzz_running_engine();
	osc_callbacks cb = {.send = drop_reply, .request = fuzz_drop_request};
	osc_init(&fuzz_osc, fuzz_engine, &fuzz_config, terrains[0], cb);
	fuzz_osc.notify_lease_ns = 1000000; /* 1 ms: subscriptions expire within a run */
}

typedef struct input {
	const uint8_t *data;
	size_t size, pos;
} input;

static int next_byte(input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static osc_peer peer_on_port(int port)
{
	osc_peer p = {.len = sizeof(struct sockaddr_in)};
	struct sockaddr_in *a = (struct sockaddr_in *)&p.addr;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)(9000 + port));
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return p;
}

static void send_message(const char *path, lo_message m, const osc_peer *peer)
{
	size_t size;
	void *data = lo_message_serialise(m, path, NULL, &size);
	if (data)
		osc_handle_packet(&fuzz_osc, data, size, peer);
	free(data);
	lo_message_free(m);
}

static void raw_packet(input *in, const osc_peer *peer)
{
	size_t n = (size_t)next_byte(in) << 8 | (size_t)next_byte(in);
	if (n > in->size - in->pos)
		n = in->size - in->pos;
	uint8_t *packet = malloc(n ? n : 1); /* exactly sized: ASan sees a read past its end */
	memcpy(packet, in->data + in->pos, n);
	in->pos += n;
	osc_handle_packet(&fuzz_osc, packet, n, peer);
	free(packet);
}

static void train_add(input *in, const osc_peer *peer)
{
	int n = next_byte(in) % 24;
	lo_message m = lo_message_new();
	for (int i = 0; i < n; i++)
		lo_message_add_float(m, (float)(next_byte(in) - 128) / 64.0f);
	send_message("/train/add", m, peer);
}

/* What the worker does for /train/run: the pairs, split, all of the
 * playing shape. */
static void train_copy(void)
{
	float *x, *y;
	int cd, ld;
	int n = training_pairs_copy(&fuzz_osc.training, &x, &y, &cd, &ld);
	if (n < 0)
		abort();
	float sum = 0;
	for (int i = 0; i < n * cd; i++)
		sum += x[i];
	for (int i = 0; i < n * ld; i++)
		sum += y[i];
	(void)sum;
	free(x);
	free(y);
}

static void notify(input *in, const osc_peer *peer)
{
	lo_message m = lo_message_new();
	lo_message_add_int32(m, next_byte(in) % 70);
	send_message("/notify", m, peer);
	osc_notify_tick(&fuzz_osc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_engine)
		setup();
	input in = {data, size, 0};
	while (in.pos < in.size) {
		int op = next_byte(&in) % 8;
		osc_peer peer = peer_on_port(next_byte(&in) % 16);
		switch (op) {
		case 0: raw_packet(&in, &peer); break;
		case 1: osc_set_terrain(&fuzz_osc, terrains[next_byte(&in) % N_SHAPES]); break;
		case 2: train_add(&in, &peer); break;
		case 3: train_copy(); break;
		case 4: notify(&in, &peer); break;
		case 5:
			fuzz_config.gain = (float)next_byte(&in) / 64.0f;
			osc_set_config(&fuzz_osc, &fuzz_config);
			break;
		case 6: send_message("/train/clear", lo_message_new(), &peer); break;
		default: send_message("/train/run", lo_message_new(), &peer); break;
		}
	}
	fuzz_settle(&fuzz_osc);
	return 0;
}
