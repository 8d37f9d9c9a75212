/*
 * grains.c — the latent granular synthesiser (include/grains.h).
 *
 * Grain starts are kept in samples from the present call's start (a
 * fraction carried over), so they fall on the right sample at any density; a grain that starts inside a
 * call has its whole row decoded, and the window is zero before its first
 * sample. The voice borrowed for a grain sounds at full envelope (the
 * window shapes it) and is freed at once when the window closes.
 */
#include "grains.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "render.h"

enum { NO_VOICE = -1 };

static const float TUKEY_TAPER = 0.5f; /* the fraction of a tukey window that is tapered (both ends) */

void grains_seed(grains *g, uint64_t seed)
{
	g->random = seed;
}

void grains_init(grains *g, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	g->size_ms = 50.0f;
	g->density_hz = 10.0f;
	g->gain = 1.0f;
	g->window = GRAIN_HANN;
	for (int i = 0; i < VOICES_MAX; i++)
		g->active[i].voice = NO_VOICE;
	grains_seed(g, seed);
}

/* ---- validation (any thread) -------------------------------------------- */

static int one_in(const float *v, int n, float lo, float hi, const char *what, char *why, size_t whylen)
{
	if (n != 1)
		return error_set(why, whylen, "expects one number (%s)", what);
	if (v[0] < lo || v[0] > hi)
		return error_set(why, whylen, "%s %g is out of range (%g to %g)", what, (double)v[0], (double)lo,
		                 (double)hi);
	return 0;
}

static int check_line(int dim, const float *v, int n, char *why, size_t whylen)
{
	(void)v;
	int want = dim == 1 ? 2 : 4;
	if (n != 0 && n != want)
		return error_set(why, whylen, "expects %s, or nothing for the terrain's %s",
		                 dim == 1 ? "2 numbers (x0 x1) on the terrain's axis" : "4 numbers (x0 y0 x1 y1)",
		                 dim == 1 ? "whole axis" : "diagonal");
	return 0;
}

static int check_area(int dim, const float *v, int n, char *why, size_t whylen)
{
	if (dim < 2)
		return error_set(why, whylen, "the terrain has 1 control dimension: scan it with /grain/line");
	if (n != 3)
		return error_set(why, whylen, "expects 3 numbers (cx cy r)");
	if (!(v[2] > 0))
		return error_set(why, whylen, "the radius must be above 0, got %g", (double)v[2]);
	return 0;
}

static int check_position(int dim, const float *v, int n, char *why, size_t whylen)
{
	if (n == 1)
		return one_in(v, n, 0, 1, "position along the line", why, whylen);
	if (n != 2 || dim < 2)
		return error_set(why, whylen, "expects P (0 to 1 along the line)%s",
		                 dim < 2 ? "" : " or X Y (-1 to 1 each, in the area)");
	if (fabsf(v[0]) > 1 || fabsf(v[1]) > 1)
		return error_set(why, whylen, "X Y (%g, %g) must be within -1 to 1 (the area's radius)", (double)v[0],
		                 (double)v[1]);
	return 0;
}

static int window_named(const char *word, float *out, char *why, size_t whylen)
{
	static const char *const names[] = {"hann", "tukey", "rect"};
	for (int i = 0; word && i < 3; i++)
		if (strcmp(word, names[i]) == 0) {
			out[0] = (float)i;
			return 0;
		}
	return error_set(why, whylen, "expects hann, tukey or rect");
}

static int check_numbers(int setting, int dim, const float *v, int n, char *why, size_t whylen)
{
	switch (setting) {
	case GRAIN_LINE: return check_line(dim, v, n, why, whylen);
	case GRAIN_AREA: return check_area(dim, v, n, why, whylen);
	case GRAIN_POSITION: return check_position(dim, v, n, why, whylen);
	case GRAIN_SIZE: return one_in(v, n, 1, 2000, "grain size in ms", why, whylen);
	case GRAIN_DENSITY: return one_in(v, n, 0.1f, 1000, "grains per second", why, whylen);
	case GRAIN_SPRAY: return one_in(v, n, 0, 1, "spray", why, whylen);
	case GRAIN_GAIN: return one_in(v, n, 0, 4, "gain", why, whylen);
	case GRAIN_FREEZE:
		if (n != 1 || (v[0] != 0 && v[0] != 1))
			return error_set(why, whylen, "expects 0 or 1");
		return 0;
	default: return n == 0 ? 0 : error_set(why, whylen, "expects no arguments");
	}
}

int grains_message(const char *verb, int dim, const float *values, int n, const char *word, int *setting, float *out,
                   int *out_n, char *why, size_t whylen)
{
	static const struct {
		const char *verb;
		int setting;
		float value; /* on/off carry their value */
	} verbs[] = {{"line", GRAIN_LINE, 0},     {"area", GRAIN_AREA, 0},       {"position", GRAIN_POSITION, 0},
	             {"size", GRAIN_SIZE, 0},     {"density", GRAIN_DENSITY, 0}, {"spray", GRAIN_SPRAY, 0},
	             {"window", GRAIN_WINDOW, 0}, {"freeze", GRAIN_FREEZE, 0},   {"gain", GRAIN_GAIN, 0},
	             {"on", GRAIN_ON, 1},         {"off", GRAIN_ON, 0}};
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(verb, verbs[i].verb) != 0)
			continue;
		*setting = verbs[i].setting;
		if (*setting == GRAIN_WINDOW) {
			*out_n = 1;
			return window_named(word, out, why, whylen);
		}
		if (word)
			return error_set(why, whylen, "expects numbers, not a string");
		if (check_numbers(*setting, dim, values, n, why, whylen) < 0)
			return -1;
		if (n > 0)
			memcpy(out, values, sizeof(float) * (size_t)n);
		*out_n = n;
		if (*setting == GRAIN_ON) {
			out[0] = verbs[i].value;
			*out_n = 1;
		}
		return 0;
	}
	return error_set(why, whylen,
	                 "unknown address: the granular synthesiser takes /grain/line, area, position, size, "
	                 "density, spray, window, freeze, gain, on and off");
}

/* ---- settings (render thread) ---------------------------------------------- */

void grains_apply(grains *g, int setting, const float *v, int n)
{
	switch (setting) {
	case GRAIN_LINE:
		g->line_set = n > 0;
		if (n == 2) /* a 1-D terrain: x0 x1 on its axis */
			memcpy(g->line, (float[4]){v[0], 0, v[1], 0}, sizeof g->line);
		else if (n == 4)
			memcpy(g->line, v, sizeof g->line);
		g->in_area = 0;
		break;
	case GRAIN_AREA:
		memcpy(g->area, v, sizeof g->area);
		g->area_set = 1;
		g->in_area = 1;
		break;
	case GRAIN_POSITION:
		memcpy(n == 1 ? g->position : g->position + 1, v, sizeof(float) * (size_t)n);
		if (!g->freeze)
			memcpy(g->scanner, g->position, sizeof g->scanner);
		break;
	case GRAIN_SIZE: g->size_ms = v[0]; break;
	case GRAIN_DENSITY:
		g->density_hz = v[0];
		if (g->rate > 0 && g->until_next > g->rate / g->density_hz) /* a faster density starts sooner */
			g->until_next = g->rate / g->density_hz;
		break;
	case GRAIN_SPRAY: g->spray = v[0]; break;
	case GRAIN_WINDOW: g->window = (grain_window)(int)v[0]; break;
	case GRAIN_GAIN: g->gain = v[0]; break;
	case GRAIN_FREEZE:
		g->freeze = v[0] > 0.5f;
		if (!g->freeze) /* the positions sent while frozen apply now */
			memcpy(g->scanner, g->position, sizeof g->scanner);
		break;
	case GRAIN_ON:
		if (!g->on && v[0] > 0.5f)
			g->until_next = 0; /* the first grain starts at once */
		g->on = v[0] > 0.5f;
		break;
	}
}

/* ---- the scan ---------------------------------------------------------------- */

/* splitmix64: small, fast, and the same sequence from the same seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static float uniform(uint64_t *state)
{
	return (float)(next_random(state) >> 40) * (1.0f / 16777216.0f);
}

/* A grain's offset: uniform along ±spray of the line, or uniform in a
 * disc of radius spray (in units of the area's radius). */
static void draw_spray(grains *g, float *out)
{
	out[0] = out[1] = 0.0f;
	if (g->spray <= 0)
		return;
	if (g->in_area) {
		float r = g->spray * sqrtf(uniform(&g->random)), angle = 2.0f * (float)M_PI * uniform(&g->random);
		out[0] = r * cosf(angle);
		out[1] = r * sinf(angle);
	} else {
		out[0] = g->spray * (2.0f * uniform(&g->random) - 1.0f);
	}
}

/* The terrain point the scanner reads, moved by `spray`; axes the scan does
 * not move stay at the centre of the terrain's bounds. */
static void scan_point(const grains *g, const terrain *t, const float *spray, float *coord)
{
	for (int d = 0; d < TERRAIN_MAX_CONTROL_DIM; d++)
		coord[d] = d < t->control_dim ? 0.5f * (t->bounds_min[d] + t->bounds_max[d]) : 0.0f;
	const int axes = t->control_dim < 2 ? t->control_dim : 2;
	if (g->in_area && axes == 2) {
		float r = g->area[2];
		float cx = g->area_set ? g->area[0] : coord[0], cy = g->area_set ? g->area[1] : coord[1];
		if (!g->area_set)
			r = 0.5f * fminf(t->bounds_max[0] - t->bounds_min[0], t->bounds_max[1] - t->bounds_min[1]);
		coord[0] = cx + r * (g->scanner[1] + spray[0]);
		coord[1] = cy + r * (g->scanner[2] + spray[1]);
		return;
	}
	float p = fminf(1.0f, fmaxf(0.0f, g->scanner[0] + spray[0]));
	for (int d = 0; d < axes; d++) {
		float from = g->line_set ? g->line[d] : t->bounds_min[d],
		      to = g->line_set ? g->line[2 + d] : t->bounds_max[d];
		coord[d] = from + p * (to - from);
	}
}

/* The voice's target and cursor both at the point: a grain never glides. */
static void place(voice *v, const terrain *t, const float *coord)
{
	render_cursor_set_axes(&v->control, t, 0, coord, t->control_dim);
	memcpy(v->control.cursor, v->control.target, sizeof v->control.cursor);
	v->control.has_cursor = 1;
}

float grains_window_at(grain_window w, int i, int n)
{
	const float x = ((float)i + 0.5f) / (float)n;
	switch (w) {
	case GRAIN_RECT: return 1.0f;
	case GRAIN_TUKEY: {
		const float edge = 0.5f * TUKEY_TAPER, d = fminf(x, 1.0f - x);
		return d >= edge ? 1.0f : 0.5f - 0.5f * cosf((float)M_PI * d / edge);
	}
	default: return 0.5f - 0.5f * cosf(2.0f * (float)M_PI * x);
	}
}

/* ---- the grains' life (render thread) -------------------------------------- */

/* The highest-numbered free voice of the pool (voice 0 is the performer's
 * cursor: taken last), or -1. */
static int free_voice(const voice_pool *pool)
{
	for (int i = pool->max - 1; i >= 0; i--)
		if (pool->voices[i].state == VOICE_FREE)
			return i;
	return NO_VOICE;
}

static grain *free_slot(grains *g)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (g->active[i].voice == NO_VOICE)
			return &g->active[i];
	return NULL;
}

static void start_grain(grains *g, voice_pool *pool, int rows, unsigned char *row_used, int samples, int rate,
                        int offset)
{
	int n = free_voice(pool);
	grain *gr = free_slot(g);
	if (n == NO_VOICE || !gr || voices_start(pool, n, rows, row_used, samples, rate) < 0) {
		atomic_fetch_add_explicit(&g->skipped, 1, memory_order_relaxed);
		return;
	}
	voice *v = &pool->voices[n];
	gr->voice = n;
	gr->offset = offset;
	gr->done = 0;
	gr->length = (int)lroundf(g->size_ms * 1e-3f * (float)rate);
	if (gr->length < 1)
		gr->length = 1;
	gr->saved_gain = v->gain;
	gr->saved_pan = v->pan;
	v->gain = v->gain_now = 1.0f; /* the grain gain goes with the window */
	v->pan = v->pan_now = 0.0f;
	v->env = 1.0f; /* the window is the envelope */
	draw_spray(g, gr->spray);
	atomic_fetch_add_explicit(&g->started, 1, memory_order_relaxed);
}

/* Gives the voice its gain and pan back and forgets the grain. */
static void end_grain(grain *gr, voice_pool *pool)
{
	voice *v = &pool->voices[gr->voice];
	v->gain = v->gain_now = gr->saved_gain;
	v->pan = v->pan_now = gr->saved_pan;
	gr->voice = NO_VOICE;
}

void grains_release_voice(grains *g, int n)
{
	for (int i = 0; i < VOICES_MAX; i++)
		if (g->active[i].voice == n)
			g->active[i].voice = NO_VOICE; /* the performer's now, gain and pan as the grain left them */
}

static void publish_cursor(grains *g, const terrain *t)
{
	float coord[TERRAIN_MAX_CONTROL_DIM];
	scan_point(g, t, (const float[2]){0, 0}, coord);
	for (int d = 0; d < 2; d++) {
		union {
			float f;
			unsigned u;
		} bits = {.f = d < t->control_dim ? coord[d] : 0.0f};
		atomic_store_explicit(&g->cursor_bits[d], bits.u, memory_order_relaxed);
	}
	atomic_store_explicit(&g->cursor_on, g->on, memory_order_release);
}

void grains_begin_call(grains *g, voice_pool *pool, const terrain *t, int rows, unsigned char *row_used, int samples,
                       int rate)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		grain *gr = &g->active[i];
		if (gr->voice == NO_VOICE)
			continue;
		if (pool->voices[gr->voice].state == VOICE_FREE) /* shed, or lost in a scene swap */
			end_grain(gr, pool);
		else
			gr->offset = 0;
	}
	g->rate = rate;
	while (g->on && g->until_next < samples) {
		start_grain(g, pool, rows, row_used, samples, rate, (int)g->until_next);
		g->until_next += (double)rate / g->density_hz;
	}
	if (g->on)
		g->until_next -= samples;
	int sounding = 0;
	for (int i = 0; i < VOICES_MAX; i++) {
		const grain *gr = &g->active[i];
		if (gr->voice == NO_VOICE)
			continue;
		float coord[TERRAIN_MAX_CONTROL_DIM];
		scan_point(g, t, gr->spray, coord);
		place(&pool->voices[gr->voice], t, coord);
		sounding++;
	}
	atomic_store_explicit(&g->sounding, sounding, memory_order_relaxed);
	publish_cursor(g, t);
}

void grains_window(grains *g, const voice_pool *pool, float *planar, int channels, int samples)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		grain *gr = &g->active[i];
		if (gr->voice == NO_VOICE)
			continue;
		float *row = planar + (size_t)pool->voices[gr->voice].row * (size_t)channels * (size_t)samples;
		for (int k = 0; k < samples; k++) {
			const int at = gr->done + k - gr->offset;
			const float w = k < gr->offset || at >= gr->length
			                    ? 0.0f
			                    : g->gain * grains_window_at(g->window, at, gr->length);
			for (int c = 0; c < channels; c++)
				row[(size_t)c * (size_t)samples + (size_t)k] *= w;
		}
		gr->done += samples - gr->offset;
	}
}

void grains_silence(const grains *g, const voice_pool *pool, float *planar, int rows, int channels, int samples)
{
	const size_t row_floats = (size_t)channels * (size_t)samples;
	for (int i = 0; i < VOICES_MAX; i++) {
		const grain *gr = &g->active[i];
		if (gr->voice != NO_VOICE && pool->voices[gr->voice].row < rows)
			memset(planar + (size_t)pool->voices[gr->voice].row * row_floats, 0,
			       sizeof(float) * row_floats);
	}
}

void grains_end_call(grains *g, voice_pool *pool)
{
	for (int i = 0; i < VOICES_MAX; i++) {
		grain *gr = &g->active[i];
		if (gr->voice == NO_VOICE || gr->done < gr->length)
			continue;
		int n = gr->voice;
		end_grain(gr, pool);
		voices_stop(pool, n);
	}
}

void grains_stats_read(const grains *g, grains_stats *s)
{
	s->started = atomic_load_explicit(&g->started, memory_order_relaxed);
	s->skipped = atomic_load_explicit(&g->skipped, memory_order_relaxed);
	s->sounding = atomic_load_explicit(&g->sounding, memory_order_relaxed);
}

int grains_cursor(const grains *g, float *xy)
{
	int on = atomic_load_explicit(&g->cursor_on, memory_order_acquire);
	for (int d = 0; d < 2; d++) {
		union {
			float f;
			unsigned u;
		} bits = {.u = atomic_load_explicit(&g->cursor_bits[d], memory_order_relaxed)};
		xy[d] = bits.f;
	}
	return on;
}
