/*
 * looper.c — the gesture looper's logic (see looper.h): takes, the undo
 * history, the tempo grid, playback with trim and transform.
 *
 * A take is sampled once per latent frame, so its points are evenly spaced
 * unless the model changed during the recording (then each point keeps its
 * own time). Playback interpolates between the points around the position
 * and from the last point back to the first, so a closed path loops
 * without a step.
 */
#include "looper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { TAKE_FLOATS = LOOPER_MAX_FRAMES + LOOPER_MAX_FRAMES * LOOPER_DIM + LOOPER_LATENT_FLOATS };

const char *looper_state_name(loop_state s)
{
	static const char *const names[] = {"empty",       "waiting", "recording", "finishing",
	                                    "overdubbing", "playing", "stopped"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

loop_settings looper_default_settings(int voice)
{
	return (loop_settings){.rate = 1.0f, .start = 0.0f, .end = 1.0f, .scale = 1.0f, .gain = 1.0f, .voice = voice};
}

int looper_default_voice(int n, int max_voices)
{
	int v = max_voices - 1 - n;
	return v > 0 ? v : 0;
}

int looper_create(int max_voices, looper **out)
{
	*out = NULL;
	looper *l = calloc(1, sizeof *l);
	size_t floats = (size_t)LOOPER_LOOPS * LOOPER_TAKES * TAKE_FLOATS;
	float *memory = l ? malloc(sizeof(float) * floats) : NULL;
	if (!memory) {
		free(l);
		return -1;
	}
	/* Touched now, so that the render thread never faults a page in. */
	memset(memory, 0, sizeof(float) * floats);
	l->memory = memory;
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		for (int k = 0; k < LOOPER_TAKES; k++) {
			loop_take *t = &l->takes[n][k];
			float *base = memory + ((size_t)n * LOOPER_TAKES + (size_t)k) * TAKE_FLOATS;
			t->time = base;
			t->coord = base + LOOPER_MAX_FRAMES;
			t->latent = t->coord + LOOPER_MAX_FRAMES * LOOPER_DIM;
		}
		loop *lp = &l->loops[n];
		lp->set = looper_default_settings(looper_default_voice(n, max_voices));
		lp->rec = -1;
		lp->sounding = -1;
	}
	l->bpm = 120.0;
	l->meter = 4;
	*out = l;
	return 0;
}

void looper_free(looper *l)
{
	if (!l)
		return;
	free(l->memory);
	free(l);
}

/* ---- takes and history ------------------------------------------------- */

static loop_take *playing_take(looper *l, int n)
{
	loop *lp = &l->loops[n];
	if (lp->state == LOOP_OVERDUBBING)
		return &l->takes[n][lp->rec];
	return lp->n_history > 0 ? &l->takes[n][lp->history[lp->at]] : NULL;
}

const loop_take *looper_take(const looper *l, int n)
{
	return playing_take((looper *)l, n);
}

int looper_can_undo(const looper *l, int n)
{
	const loop *lp = &l->loops[n];
	return lp->rec >= 0 || lp->state == LOOP_WAITING || lp->at > 0;
}

int looper_can_redo(const looper *l, int n)
{
	const loop *lp = &l->loops[n];
	return lp->rec < 0 && lp->at + 1 < lp->n_history;
}

/* A take to record into: what could be redone is dropped (as a new take
 * does in SooperLooper), then the oldest when the history is full. */
static int free_take(loop *lp)
{
	if (lp->n_history > 0)
		lp->n_history = lp->at + 1;
	if (lp->n_history == LOOPER_TAKES) {
		memmove(lp->history, lp->history + 1, sizeof(int) * (LOOPER_TAKES - 1));
		lp->n_history--;
		lp->at--;
	}
	for (int k = 0; k < LOOPER_TAKES; k++) {
		int used = 0;
		for (int h = 0; h < lp->n_history; h++)
			used |= lp->history[h] == k;
		if (!used)
			return k;
	}
	return 0; /* not reached: n_history < LOOPER_TAKES */
}

static void find_centre(loop_take *t)
{
	double sum[2] = {0, 0};
	for (int i = 0; i < t->frames; i++)
		for (int d = 0; d < 2; d++)
			sum[d] += t->coord[i * LOOPER_DIM + d];
	for (int d = 0; d < 2; d++)
		t->centre[d] = t->frames > 0 ? (float)(sum[d] / t->frames) : 0.0f;
}

static double window_start(const loop *lp, const loop_take *t)
{
	return lp->set.start * t->length;
}

static double window_end(const loop *lp, const loop_take *t)
{
	return lp->set.end * t->length;
}

/* Playback starts at the window's start (its end when reversed). */
static void rewind_loop(looper *l, int n)
{
	loop *lp = &l->loops[n];
	const loop_take *t = playing_take(l, n);
	if (t)
		lp->position = lp->set.reverse ? window_end(lp, t) : window_start(lp, t);
}

/* The take `rec` becomes the playing one, the previous one undoable. */
static void push_take(looper *l, int n)
{
	loop *lp = &l->loops[n];
	find_centre(&l->takes[n][lp->rec]);
	lp->history[lp->n_history++] = lp->rec;
	lp->at = lp->n_history - 1;
	lp->rec = -1;
	lp->state = LOOP_PLAYING;
}

/* Back to what played before the recording or overdub began. */
static void cancel_take(looper *l, int n)
{
	loop *lp = &l->loops[n];
	lp->rec = -1;
	lp->state = lp->n_history > 0 ? LOOP_PLAYING : LOOP_EMPTY;
	rewind_loop(l, n);
}

/* ---- the tempo grid ---------------------------------------------------- */

static double grid_beats(const looper *l, const loop *lp)
{
	return lp->set.quantize == LOOP_QUANTIZE_BAR ? (double)l->meter : 1.0;
}

/* Half the latent frame, in beats: a grid line is met by the frame that
 * starts nearest to it. */
static double half_frame_beats(const looper *l)
{
	return 0.5 * l->frame_s * l->bpm / 60.0;
}

/* The first grid line not yet passed (a line half a frame ago counts). */
static double next_line(const looper *l, const loop *lp)
{
	double g = grid_beats(l, lp);
	return ceil((l->beat - half_frame_beats(l)) / g) * g;
}

/* ---- recording --------------------------------------------------------- */

static void begin_recording(looper *l, int n)
{
	loop *lp = &l->loops[n];
	lp->rec = free_take(lp);
	loop_take *t = &l->takes[n][lp->rec];
	t->frames = 0;
	t->dim = 0;
	t->latent_dim = 0;
	t->length = 0;
	lp->rec_time = 0;
	lp->rec_start_beat = l->beat;
	lp->state = LOOP_RECORDING;
}

static void finish_recording(looper *l, int n)
{
	loop *lp = &l->loops[n];
	loop_take *t = &l->takes[n][lp->rec];
	if (t->frames < 2) { /* nothing to loop */
		cancel_take(l, n);
		return;
	}
	t->length = lp->rec_time;
	lp->start_beat = lp->rec_start_beat;
	push_take(l, n);
	rewind_loop(l, n);
}

static void begin_overdub(looper *l, int n)
{
	loop *lp = &l->loops[n];
	const loop_take *from = &l->takes[n][lp->history[lp->at]];
	lp->rec = free_take(lp);
	loop_take *to = &l->takes[n][lp->rec];
	to->frames = from->frames;
	to->dim = from->dim;
	to->latent_dim = from->latent_dim;
	to->length = from->length;
	memcpy(to->time, from->time, sizeof(float) * (size_t)from->frames);
	memcpy(to->coord, from->coord, sizeof(float) * (size_t)from->frames * LOOPER_DIM);
	memcpy(to->latent, from->latent, sizeof(float) * (size_t)from->frames * (size_t)from->latent_dim);
	lp->overdub_index = -1;
	lp->state = LOOP_OVERDUBBING;
}

int looper_any_running(const looper *l)
{
	for (int n = 0; n < LOOPER_LOOPS; n++)
		if (l->loops[n].state != LOOP_EMPTY && l->loops[n].state != LOOP_STOPPED)
			return 1;
	return 0;
}

int looper_recording_voice(const looper *l, int n)
{
	const loop *lp = &l->loops[n];
	int recording = lp->state == LOOP_RECORDING || lp->state == LOOP_FINISHING ||
	                (lp->state == LOOP_OVERDUBBING && lp->overdub_index >= 0);
	return recording ? lp->set.source : -1;
}

static int latents_fit(int frame, int latent_dim)
{
	return latent_dim > 0 && (size_t)(frame + 1) * (size_t)latent_dim <= LOOPER_LATENT_FLOATS;
}

void looper_capture(looper *l, int n, const float *cursor, int dim, const float *latent, int latent_dim)
{
	loop *lp = &l->loops[n];
	if (looper_recording_voice(l, n) < 0)
		return;
	loop_take *t = &l->takes[n][lp->rec];
	if (dim > LOOPER_DIM)
		dim = LOOPER_DIM;
	int i = lp->state == LOOP_OVERDUBBING ? lp->overdub_index : t->frames;
	if (lp->state != LOOP_OVERDUBBING) {
		if (t->frames == 0) {
			t->dim = dim;
			t->latent_dim = lp->set.mode == LOOP_MODE_LATENT && latent ? latent_dim : 0;
		}
		t->time[i] = (float)lp->rec_time;
		t->frames++;
		lp->rec_time += l->frame_s;
	}
	memcpy(t->coord + (size_t)i * LOOPER_DIM, cursor, sizeof(float) * (size_t)dim);
	if (t->latent_dim > 0 && latent && latent_dim == t->latent_dim && latents_fit(i, latent_dim))
		memcpy(t->latent + (size_t)i * (size_t)latent_dim, latent, sizeof(float) * (size_t)latent_dim);
	int full = t->frames >= LOOPER_MAX_FRAMES || (t->latent_dim > 0 && !latents_fit(t->frames, t->latent_dim));
	if (full && lp->state != LOOP_OVERDUBBING) {
		lp->full_count++;
		finish_recording(l, n);
	}
}

/* ---- playback ------------------------------------------------------------ */

/* The last point at or before time p (binary search; 0 when p is before
 * the first). */
static int point_before(const loop_take *t, double p)
{
	int lo = 0, hi = t->frames - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (t->time[mid] <= p)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Where the path is at time p: between the points around it, and from
 * the last point back to the first across the end of the take. */
static void sample_take(const loop_take *t, double p, float *coord, float *latent, int *nearest)
{
	int i = point_before(t, p), j = i + 1 < t->frames ? i + 1 : 0;
	double t0 = t->time[i], t1 = j > i ? t->time[j] : t->length;
	float w = t1 > t0 ? (float)((p - t0) / (t1 - t0)) : 0.0f;
	w = w < 0 ? 0 : w > 1 ? 1 : w;
	for (int d = 0; d < t->dim; d++)
		coord[d] =
		    t->coord[i * LOOPER_DIM + d] + w * (t->coord[j * LOOPER_DIM + d] - t->coord[i * LOOPER_DIM + d]);
	const float *a = t->latent + (size_t)i * (size_t)t->latent_dim,
	            *b = t->latent + (size_t)j * (size_t)t->latent_dim;
	for (int c = 0; latent && c < t->latent_dim; c++)
		latent[c] = a[c] + w * (b[c] - a[c]);
	*nearest = w < 0.5f ? i : j;
}

/* Offset, scale and rotation, about the take's centre, on x and y. */
static void transform(const loop_settings *s, const loop_take *t, float *coord)
{
	if (t->dim < 1)
		return;
	float dx = coord[0] - t->centre[0], dy = t->dim > 1 ? coord[1] - t->centre[1] : 0.0f;
	float a = s->rotate * (float)M_PI / 180.0f, c = cosf(a), sn = sinf(a);
	coord[0] = t->centre[0] + s->scale * (c * dx - sn * dy) + s->offset[0];
	if (t->dim > 1)
		coord[1] = t->centre[1] + s->scale * (sn * dx + c * dy) + s->offset[1];
}

/* Moves on by one frame, wrapping inside the window [start, end). */
static void step_position(loop *lp, const loop_take *t, double frame_s)
{
	double a = window_start(lp, t), b = window_end(lp, t), w = b - a;
	if (w <= 0)
		return;
	double p = lp->position + (lp->set.reverse ? -1.0 : 1.0) * lp->set.rate * frame_s;
	if (p >= b)
		p = a + fmod(p - a, w);
	else if (p < a)
		p = b - fmod(a - p, w);
	lp->position = p;
}

static void play(looper *l, int n, loop_output *out)
{
	loop *lp = &l->loops[n];
	const loop_take *t = playing_take(l, n);
	int latent_mode = lp->set.mode == LOOP_MODE_LATENT && t->latent_dim > 0;
	int nearest;
	sample_take(t, lp->position, out->coord, latent_mode ? lp->latent_out : NULL, &nearest);
	if (lp->state == LOOP_OVERDUBBING)
		lp->overdub_index = nearest;
	transform(&lp->set, t, out->coord);
	out->dim = t->dim;
	out->latent = latent_mode ? lp->latent_out : NULL;
	out->latent_dim = latent_mode ? t->latent_dim : 0;
	out->gain = lp->set.gain;
	out->voice = lp->set.voice;
	out->start = lp->sounding != lp->set.voice;
	if (lp->sounding >= 0 && lp->sounding != lp->set.voice)
		out->release_voice = lp->sounding;
	lp->sounding = lp->set.voice;
	step_position(lp, t, l->frame_s);
}

void looper_advance(looper *l, double frame_s, loop_output *out)
{
	l->frame_s = frame_s;
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop *lp = &l->loops[n];
		out[n] = (loop_output){.voice = -1, .release_voice = -1};
		if (lp->state == LOOP_WAITING && l->beat + half_frame_beats(l) >= lp->grid_target)
			begin_recording(l, n);
		else if (lp->state == LOOP_FINISHING && l->beat + half_frame_beats(l) >= lp->grid_target)
			finish_recording(l, n);
		if (lp->state == LOOP_PLAYING || lp->state == LOOP_OVERDUBBING) {
			play(l, n, &out[n]);
		} else if (lp->sounding >= 0) {
			out[n].release_voice = lp->sounding;
			lp->sounding = -1;
		}
	}
	l->beat += frame_s * l->bpm / 60.0;
}

void looper_sync(looper *l, double beat, double bpm)
{
	l->beat = beat;
	l->bpm = bpm;
	for (int n = 0; n < LOOPER_LOOPS; n++) {
		loop *lp = &l->loops[n];
		int waits = lp->state == LOOP_WAITING || lp->state == LOOP_FINISHING;
		if (waits && fabs(lp->grid_target - beat) > grid_beats(l, lp))
			lp->grid_target = next_line(l, lp);
	}
}

/* ---- commands ------------------------------------------------------------ */

static int record(looper *l, int n, int voice)
{
	loop *lp = &l->loops[n];
	switch (lp->state) {
	case LOOP_EMPTY:
	case LOOP_PLAYING:
	case LOOP_STOPPED:
		lp->set.source = voice;
		if (lp->set.quantize == LOOP_QUANTIZE_OFF) {
			begin_recording(l, n);
		} else {
			lp->grid_target = next_line(l, lp);
			lp->state = LOOP_WAITING;
		}
		return 0;
	case LOOP_WAITING: cancel_take(l, n); return 0;
	case LOOP_RECORDING:
		if (lp->set.quantize == LOOP_QUANTIZE_OFF) {
			finish_recording(l, n);
			return 0;
		}
		lp->grid_target = next_line(l, lp);
		if (lp->grid_target <= lp->rec_start_beat + half_frame_beats(l))
			lp->grid_target += grid_beats(l, lp); /* at least one step of the grid */
		lp->state = LOOP_FINISHING;
		return 0;
	default: return -1;
	}
}

static int overdub(looper *l, int n)
{
	loop *lp = &l->loops[n];
	if (lp->state == LOOP_PLAYING) {
		begin_overdub(l, n);
		return 0;
	}
	if (lp->state != LOOP_OVERDUBBING)
		return -1;
	push_take(l, n);
	return 0;
}

static int stop(looper *l, int n)
{
	loop *lp = &l->loops[n];
	switch (lp->state) {
	case LOOP_WAITING: cancel_take(l, n); break;
	case LOOP_RECORDING:
	case LOOP_FINISHING: finish_recording(l, n); break;
	case LOOP_OVERDUBBING: push_take(l, n); break;
	case LOOP_PLAYING: break;
	default: return -1;
	}
	if (lp->n_history > 0)
		lp->state = LOOP_STOPPED;
	return 0;
}

static int play_command(looper *l, int n)
{
	loop *lp = &l->loops[n];
	if (lp->n_history == 0 || lp->rec >= 0 || lp->state == LOOP_WAITING)
		return -1;
	lp->state = LOOP_PLAYING;
	rewind_loop(l, n);
	return 0;
}

static int undo(looper *l, int n)
{
	loop *lp = &l->loops[n];
	if (!looper_can_undo(l, n))
		return -1;
	if (lp->rec >= 0 || lp->state == LOOP_WAITING) {
		cancel_take(l, n);
		return 0;
	}
	lp->at--;
	rewind_loop(l, n);
	return 0;
}

static int redo(looper *l, int n)
{
	loop *lp = &l->loops[n];
	if (!looper_can_redo(l, n))
		return -1;
	lp->at++;
	if (lp->state == LOOP_EMPTY)
		lp->state = LOOP_PLAYING;
	rewind_loop(l, n);
	return 0;
}

static void clear(looper *l, int n)
{
	loop *lp = &l->loops[n];
	lp->state = LOOP_EMPTY;
	lp->n_history = 0;
	lp->at = 0;
	lp->rec = -1;
	lp->position = 0;
}

void looper_apply_setting(loop_settings *s, loop_key key, double value)
{
	float v = (float)value;
	switch (key) {
	case LOOP_KEY_RATE: s->rate = v; break;
	case LOOP_KEY_REVERSE: s->reverse = value != 0; break;
	case LOOP_KEY_START: s->start = v; break;
	case LOOP_KEY_END: s->end = v; break;
	case LOOP_KEY_OFFSET_X: s->offset[0] = v; break;
	case LOOP_KEY_OFFSET_Y: s->offset[1] = v; break;
	case LOOP_KEY_SCALE: s->scale = v; break;
	case LOOP_KEY_ROTATE: s->rotate = v; break;
	case LOOP_KEY_GAIN: s->gain = v; break;
	case LOOP_KEY_QUANTIZE: s->quantize = (loop_quantize)value; break;
	case LOOP_KEY_MODE: s->mode = (loop_mode)value; break;
	case LOOP_KEY_VOICE: s->voice = (int)value; break;
	default: break;
	}
}

double looper_setting(const loop_settings *s, loop_key key)
{
	switch (key) {
	case LOOP_KEY_RATE: return s->rate;
	case LOOP_KEY_REVERSE: return s->reverse;
	case LOOP_KEY_START: return s->start;
	case LOOP_KEY_END: return s->end;
	case LOOP_KEY_OFFSET_X: return s->offset[0];
	case LOOP_KEY_OFFSET_Y: return s->offset[1];
	case LOOP_KEY_SCALE: return s->scale;
	case LOOP_KEY_ROTATE: return s->rotate;
	case LOOP_KEY_GAIN: return s->gain;
	case LOOP_KEY_QUANTIZE: return s->quantize;
	case LOOP_KEY_MODE: return s->mode;
	case LOOP_KEY_VOICE: return s->voice;
	default: return 0;
	}
}

/* One setting; the position stays where it is if it is inside the new window. */
static void set(looper *l, int n, loop_key key, double value)
{
	loop *lp = &l->loops[n];
	looper_apply_setting(&lp->set, key, value);
	const loop_take *t = playing_take(l, n);
	if (t && (lp->position < window_start(lp, t) || lp->position >= window_end(lp, t)))
		rewind_loop(l, n);
}

/* A gesture (already checked: at most LOOPER_MAX_FRAMES points) as a new take. */
static int load(looper *l, int n, const gesture *g, double length)
{
	loop *lp = &l->loops[n];
	if (!g || g->n_points < 2 || g->n_points > LOOPER_MAX_FRAMES || lp->rec >= 0 || lp->state == LOOP_WAITING)
		return -1;
	lp->rec = free_take(lp);
	loop_take *t = &l->takes[n][lp->rec];
	t->frames = (int)g->n_points;
	t->dim = g->control_dim < LOOPER_DIM ? g->control_dim : LOOPER_DIM;
	t->latent_dim = 0;
	t->length = length > gesture_duration(g) ? length : gesture_duration(g);
	for (int i = 0; i < t->frames; i++) {
		t->time[i] = (float)g->points[i].time;
		memcpy(t->coord + (size_t)i * LOOPER_DIM, g->points[i].coord, sizeof(float) * LOOPER_DIM);
	}
	push_take(l, n);
	rewind_loop(l, n);
	return 0;
}

int looper_command(looper *l, const loop_command *c)
{
	if (c->op == LOOP_TEMPO) {
		l->bpm = c->value;
		return 0;
	}
	if (c->op == LOOP_METER) {
		l->meter = (int)c->value;
		return 0;
	}
	if (c->loop < 0 || c->loop >= LOOPER_LOOPS)
		return -1;
	int n = c->loop;
	switch (c->op) {
	case LOOP_RECORD: return record(l, n, (int)c->value);
	case LOOP_OVERDUB: return overdub(l, n);
	case LOOP_PLAY: return play_command(l, n);
	case LOOP_STOP: return stop(l, n);
	case LOOP_UNDO: return undo(l, n);
	case LOOP_REDO: return redo(l, n);
	case LOOP_CLEAR: clear(l, n); return 0;
	case LOOP_SET: set(l, n, c->key, c->value); return 0;
	case LOOP_LOAD: return load(l, n, c->gesture, c->value);
	default: return -1;
	}
}

void looper_info(const looper *l, int n, loop_info *info)
{
	const loop *lp = &l->loops[n];
	const loop_take *t = looper_take(l, n);
	*info = (loop_info){.state = lp->state,
	                    .position = lp->rec >= 0 && lp->state != LOOP_OVERDUBBING ? lp->rec_time : lp->position,
	                    .length = t ? t->length : 0,
	                    .start_beat = lp->start_beat,
	                    .frames = t ? t->frames : 0,
	                    .can_undo = looper_can_undo(l, n),
	                    .can_redo = looper_can_redo(l, n),
	                    .full_count = lp->full_count,
	                    .settings = lp->set};
}

void looper_export(const looper *l, int n, loop_export *x)
{
	const loop_take *t = looper_take(l, n);
	x->frames = t ? t->frames : 0;
	x->dim = t ? t->dim : 0;
	x->length = t ? t->length : 0;
	if (!t)
		return;
	memcpy(x->time, t->time, sizeof(float) * (size_t)t->frames);
	memcpy(x->coord, t->coord, sizeof(float) * (size_t)t->frames * LOOPER_DIM);
}
