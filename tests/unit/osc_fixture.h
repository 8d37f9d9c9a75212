/*
 * osc_fixture.h — the OSC dispatcher over a running engine for the unit
 * tests (test_osc, test_osc_looper): real liblo packets in, replies and
 * worker requests captured.
 */
#ifndef TERRAIND_TEST_OSC_FIXTURE_H
#define TERRAIND_TEST_OSC_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "osc.h"
#include "terrain_json.h"
#include "test_util.h"

enum { RATE = 48000, PERIOD = 128, MAX_REPLIES = 64 };

typedef struct reply {
	char path[64];
	char arg0[128], arg1[512];
	int argc;
	char keys[2048]; /* the even arguments, when each is a string, as ",key,key,...," (else "") */
} reply;

typedef struct fixture {
	engine *engine;
	osc_context osc;
	config config;
	reply replies[MAX_REPLIES];
	int n_replies;
	int cursors; /* /cursor updates sent (one per due /notify subscriber and tick) */
	osc_request requests[8];
	int n_requests;
	osc_peer peer;
} fixture;

static inline void capture_send(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)peer;
	fixture *f = ctx;
	int result;
	lo_message m = lo_message_deserialise((void *)data, size, &result);
	assert_non_null(m);
	reply *r = &f->replies[f->n_replies++ % MAX_REPLIES];
	memset(r, 0, sizeof *r);
	snprintf(r->path, sizeof r->path, "%s", (const char *)data);
	f->cursors += strcmp(r->path, "/cursor") == 0;
	r->argc = lo_message_get_argc(m);
	lo_arg **argv = lo_message_get_argv(m);
	const char *types = lo_message_get_types(m);
	if (r->argc > 0 && types[0] == 's')
		snprintf(r->arg0, sizeof r->arg0, "%s", (const char *)argv[0]);
	if (r->argc > 1 && types[1] == 's')
		snprintf(r->arg1, sizeof r->arg1, "%s", (const char *)argv[1]);
	snprintf(r->keys, sizeof r->keys, ",");
	for (int i = 0; i < r->argc; i += 2) {
		if (types[i] != 's') {
			r->keys[0] = '\0';
			break;
		}
		size_t used = strlen(r->keys);
		snprintf(r->keys + used, sizeof r->keys - used, "%s,", (const char *)argv[i]);
	}
	lo_message_free(m);
}

static inline int capture_request(void *ctx, const osc_request *req)
{
	fixture *f = ctx;
	if (f->n_requests == (int)(sizeof f->requests / sizeof f->requests[0]))
		return -1; /* busy, as the worker's queue is when full */
	f->requests[f->n_requests++] = *req;
	return 0;
}

/* The demo scene on a running engine, and the OSC context over it with
 * f->config; replies and requests captured. 0, or -1 with the reason printed. */
static inline int fixture_start(fixture *f)
{
	model *m;
	terrain *t;
	scene *v;
	char err[1024], warn[256];
	if (model_load("models/demo.ts", NULL, &m, err, sizeof err) < 0 ||
	    terrain_load("terrains/demo.json", &t, err, sizeof err) < 0 ||
	    scene_create(m, t, 0, RATE, 8, &v, err, sizeof err, warn, sizeof warn) < 0 ||
	    engine_create(RATE, PERIOD, 0, 0, &f->engine, err, sizeof err) < 0 ||
	    engine_start(f->engine, v, err, sizeof err) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	osc_callbacks cb = {.send = capture_send, .send_ctx = f, .request = capture_request, .ctx = f};
	osc_init(&f->osc, f->engine, &f->config, t, cb);
	model_free(m); /* the scene keeps its own references */
	terrain_free(t);
	struct sockaddr_in *local = (struct sockaddr_in *)&f->peer.addr;
	local->sin_family = AF_INET; /* a client on this machine, as net.c reports it */
	local->sin_port = htons(5000);
	local->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->peer.len = sizeof *local;
	return 0;
}

static inline void fixture_stop(fixture *f)
{
	for (int i = 0; i < f->n_requests; i++)
		osc_request_release(&f->requests[i]); /* taken with the request, as the worker does */
	osc_destroy(&f->osc);
	engine_free(f->engine);
	free(f);
}

static inline void send_message(fixture *f, const char *path, lo_message m)
{
	size_t size;
	void *data = lo_message_serialise(m, path, NULL, &size);
	osc_handle_packet(&f->osc, data, size, &f->peer);
	free(data);
	lo_message_free(m);
}

static inline const reply *last_reply(fixture *f)
{
	assert_true(f->n_replies > 0);
	return &f->replies[(f->n_replies - 1) % MAX_REPLIES];
}

static inline void expect_fail(fixture *f, const char *address, const char *reason)
{
	const reply *r = last_reply(f);
	assert_string_equal(r->path, "/fail");
	assert_string_equal(r->arg0, address);
	assert_contains(r->arg1, reason);
}

#endif
