/*
 * tuio.c — TUIO 1.1 cursor sessions to voices (include/tuio.h).
 */
#include "tuio.h"

#include <string.h>

void tuio_init(tuio_tracker *t, int voices)
{
	memset(t, 0, sizeof *t);
	t->voices = voices < 0 ? 0 : voices > TUIO_MAX_VOICES ? TUIO_MAX_VOICES : voices;
}

int tuio_alive(tuio_tracker *t, const int32_t *sessions, int n)
{
	t->n_set = 0;
	t->has_alive = 0;
	if (n < 0 || n > TUIO_MAX_SESSIONS)
		return -1;
	if (n > 0)
		memcpy(t->alive, sessions, sizeof *sessions * (size_t)n);
	t->n_alive = n;
	t->has_alive = 1;
	return 0;
}

int tuio_set(tuio_tracker *t, int32_t session, float x, float y)
{
	for (int i = 0; i < t->n_set; i++)
		if (t->set[i].session == session) { /* the newest position wins */
			t->set[i].x = x, t->set[i].y = y;
			return 0;
		}
	if (t->n_set == TUIO_MAX_SESSIONS)
		return -1;
	t->set[t->n_set++] = (struct tuio_set){session, x, y};
	return 0;
}

/* TuioClient's rule: a frame lower than the last is late, unless far lower
 * (a restart or wrap); frames 0 and below carry no number. */
static int frame_is_late(tuio_tracker *t, int32_t fseq)
{
	if (fseq <= 0)
		return 0;
	if (fseq >= t->last_frame || (int64_t)t->last_frame - fseq > TUIO_FRAME_RESET) {
		t->last_frame = fseq;
		return 0;
	}
	return 1;
}

static int is_alive(const tuio_tracker *t, int32_t session)
{
	for (int i = 0; i < t->n_alive; i++)
		if (t->alive[i] == session)
			return 1;
	return 0;
}

static int voice_of(const tuio_tracker *t, int32_t session)
{
	for (int v = 0; v < t->voices; v++)
		if (t->voice[v].taken && t->voice[v].session == session)
			return v;
	return -1;
}

/* Among the voices TUIO released, the nearest to (x, y); else the lowest
 * free one; -1 when all are taken. */
static int free_voice(const tuio_tracker *t, float x, float y)
{
	int best = -1, lowest = -1;
	float best_d = 0;
	for (int v = 0; v < t->voices; v++) {
		const struct tuio_voice *tv = &t->voice[v];
		if (tv->taken)
			continue;
		if (lowest < 0)
			lowest = v;
		float dx = tv->x - x, dy = tv->y - y, d = dx * dx + dy * dy;
		if (tv->released && (best < 0 || d < best_d))
			best = v, best_d = d;
	}
	return best >= 0 ? best : lowest;
}

int tuio_frame(tuio_tracker *t, int32_t fseq, tuio_action *out)
{
	int n = 0;
	if (!frame_is_late(t, fseq) && t->has_alive) {
		for (int v = 0; v < t->voices; v++) {
			struct tuio_voice *tv = &t->voice[v];
			if (tv->taken && !is_alive(t, tv->session)) {
				tv->taken = 0;
				tv->released = 1; /* x, y hold its last position */
				out[n++] = (tuio_action){.voice = v, .ended = 1, .x = tv->x, .y = tv->y};
			}
		}
		for (int i = 0; i < t->n_set; i++) {
			const struct tuio_set *s = &t->set[i];
			if (!is_alive(t, s->session))
				continue;
			int v = voice_of(t, s->session);
			if (v < 0 && (v = free_voice(t, s->x, s->y)) < 0) {
				t->refused++;
				continue;
			}
			t->voice[v] = (struct tuio_voice){.session = s->session, .taken = 1, .x = s->x, .y = s->y};
			out[n++] = (tuio_action){.voice = v, .x = s->x, .y = s->y};
		}
	}
	t->has_alive = 0;
	t->n_alive = 0;
	t->n_set = 0;
	return n;
}
