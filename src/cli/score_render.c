/*
 * score_render.c — an OSC score through the live dispatcher and engine,
 * in virtual time (include/score_render.h).
 */
#include "score_render.h"

#include "engine.h"
#include "error.h"
#include "log.h"
#include "osc.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OFFLINE_PERIOD = 256 }; /* only sizes the live ring's threshold: unused offline */

typedef struct player {
	osc_context osc;
	engine *engine;
	const score *score;
	const score_event *playing; /* the entry being dispatched */
	osc_peer peer;              /* a loopback peer: the score is this machine's user */
	char failure[1024];         /* the first /fail, with where it came from */
} player;

/* The dispatcher's replies: the first /fail is the render's error. */
static void capture_reply(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)peer;
	player *p = ctx;
	if (p->failure[0] || size < 8 || strncmp(data, "/fail", 6) != 0)
		return;
	int result = 0;
	lo_message m = lo_message_deserialise((void *)data, size, &result);
	const char *types = m ? lo_message_get_types(m) : "";
	char where[512];
	score_event_where(p->score, p->playing, where, sizeof where);
	if (m && strcmp(types, "ss") == 0)
		snprintf(p->failure, sizeof p->failure, "%s: %s", where, (const char *)lo_message_get_argv(m)[1]);
	else
		snprintf(p->failure, sizeof p->failure, "%s: the dispatcher refused it", where);
	lo_message_free(m);
}

/* No worker here: the looper's files are read and written at once (this
 * thread is the renderer too); loads of models and terrains, training and
 * /quit are refused. */
static int run_request(void *ctx, const osc_request *req)
{
	player *p = ctx;
	if (osc_run_file_request(&p->osc, req))
		return 0;
	osc_request_release(req);
	osc_reply_fail(&p->osc, &req->peer, req->address,
	               "not available in a score (loads, training, saves and /quit need the live daemon): give the "
	               "model and terrain with --model and --terrain");
	return 0;
}

static void loopback_peer(osc_peer *peer)
{
	memset(peer, 0, sizeof *peer);
	struct sockaddr_in *local = (struct sockaddr_in *)&peer->addr;
	local->sin_family = AF_INET;
	local->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer->len = sizeof *local;
}

/* Dispatches one entry; -1 with the reason when the dispatcher failed it
 * (counted even when its reply was rate-limited away). */
static int dispatch(player *p, const score_event *ev, char *err, size_t errlen)
{
	uint64_t failures = atomic_load(&p->osc.failures);
	p->playing = ev;
	osc_handle_packet(&p->osc, ev->packet, ev->size, &p->peer);
	if (p->failure[0])
		return error_set(err, errlen, "%s", p->failure);
	if (atomic_load(&p->osc.failures) != failures) {
		char where[512];
		score_event_where(p->score, ev, where, sizeof where);
		return error_set(err, errlen, "%s: the dispatcher refused it", where);
	}
	return 0;
}

static int start_engine(player *p, model *m, terrain *t, const score_settings *st, char *err, size_t errlen)
{
	const config *c = st->config;
	char warning[256];
	scene *s;
	if (engine_create(m->sample_rate, OFFLINE_PERIOD, 0, 0, &p->engine, err, errlen) < 0)
		return -1;
	engine_set_voices(p->engine, c->voices, c->release_ms);
	engine_set_crossfade(p->engine, c->crossfade_ms);
	if (scene_create(m, t, st->smooth_ms, m->sample_rate, c->voices, &s, err, errlen, warning, sizeof warning) < 0)
		return -1;
	if (warning[0])
		log_warn("%s", warning);
	model_seed(st->seed);
	engine_set_seed(p->engine, st->seed);
	engine_start_offline(p->engine, s);
	config quiet = *c;
	quiet.reply_controls = 0; /* only failures matter here */
	osc_callbacks cb = {.send = capture_reply, .send_ctx = p, .request = run_request, .ctx = p};
	osc_init(&p->osc, p->engine, &quiet, t, cb);
	return 0;
}

/* Plays the entries due by `frame`, renders one decode call and hands it
 * to the sink (cut to `total`). Returns the frames made, or -1. */
static int64_t play_call(player *p, int *next, uint64_t frame, uint64_t total, float *audio, render_sink sink,
                         void *ctx, char *err, size_t errlen)
{
	const score *sc = p->score;
	const double rate = engine_device_rate(p->engine);
	while (*next < sc->n_events && llround(sc->events[*next].time * rate) <= (long long)frame)
		if (dispatch(p, &sc->events[(*next)++], err, errlen) < 0)
			return -1;
	size_t made = engine_render_offline(p->engine, llround(frame / rate * 1e9));
	engine_pull(p->engine, audio, made, ENGINE_CHANNELS);
	engine_collect(p->engine);
	osc_pending_collect(&p->osc); /* the loop commands it applied, answered (a refusal fails the render) */
	if (p->failure[0])
		return error_set(err, errlen, "%s", p->failure);
	int keep = (int)(made < total - frame ? made : total - frame);
	if (sink(ctx, audio, keep, err, errlen) != 0)
		return -1;
	return (int64_t)made;
}

static int check_decoding(const player *p, char *err, size_t errlen)
{
	engine_stats stats;
	engine_stats_read(p->engine, &stats);
	if (stats.decode_errors > 0)
		return error_set(err, errlen, "the model failed to decode %llu call(s)",
		                 (unsigned long long)stats.decode_errors);
	return 0;
}

int score_render(const score *sc, model *m, terrain *t, const score_settings *settings, render_sink sink, void *ctx,
                 uint64_t *frames_out, char *err, size_t errlen)
{
	*frames_out = 0;
	player *p = calloc(1, sizeof *p);
	float *audio = malloc(sizeof(float) * ENGINE_CHANNELS * ENGINE_MAX_FRAME);
	if (!p || !audio) {
		free(p);
		free(audio);
		return error_set(err, errlen, "out of memory");
	}
	p->score = sc;
	loopback_peer(&p->peer);
	int rc = start_engine(p, m, t, settings, err, errlen);
	const uint64_t total = (uint64_t)ceil((score_end(sc) + settings->tail_seconds) * m->sample_rate);
	int next = 0;
	uint64_t frame = 0;
	while (rc == 0 && frame < total) {
		int64_t made = play_call(p, &next, frame, total, audio, sink, ctx, err, errlen);
		rc = made < 0 ? -1 : 0;
		frame += made > 0 ? (uint64_t)made : 0;
	}
	/* Entries at the very end (no tail) change no sound, but are checked. */
	while (rc == 0 && next < sc->n_events)
		rc = dispatch(p, &sc->events[next++], err, errlen);
	if (rc == 0)
		rc = check_decoding(p, err, errlen);
	*frames_out = frame < total ? frame : total;
	if (p->engine && p->osc.engine)
		osc_destroy(&p->osc);
	engine_free(p->engine);
	free(audio);
	free(p);
	return rc;
}
