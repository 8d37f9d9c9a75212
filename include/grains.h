/*
 * grains — the latent granular synthesiser: a scanner over the terrain
 * makes grains; a grain is a short run of latent frames read along the
 * scan, decoded on its own batch row (a voice borrowed from the pool) and
 * overlap-added with a window (docs/osc.md, "Granular synthesis").
 *
 * The scanner: 1-D, a position P (0..1) on a line of the terrain
 * (/grain/line X0 Y0 X1 Y1; a terrain of control_dim 1 scans its own
 * axis); 2-D, a point X Y (each -1..1) in a disc (/grain/area CX CY R).
 * Every 1/density seconds a grain starts, to the sample: it takes a free
 * voice (the highest-numbered first, away from the performer's voice 0),
 * draws its spray offset from a seeded generator (a fraction of the line,
 * or of the disc's radius), and for `size` ms its voice's cursor follows the
 * scanner plus that offset while its decoded row is multiplied by the
 * window and the grain gain. Then the voice is free again, with the gain
 * and pan it had. No voice free: the grain is skipped and counted.
 * /grain/freeze 1 holds the scanner where it is (positions sent meanwhile
 * apply when it is released).
 *
 * Why each grain decodes on its own row rather than mixing the grains'
 * latents into one row: overlapping grains stay separate sounds (a mix of
 * latents is one sound at the mixed point), at the price of one batch row
 * per overlapping grain; docs/performance.md has the measured costs.
 *
 * Threads: grains_message on any thread (it only validates); everything
 * else on the render thread, without allocation, locks or system calls.
 * The counters and the cursor snapshot are atomics, read by any thread.
 */
#ifndef TERRAIND_GRAINS_H
#define TERRAIND_GRAINS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "terrain.h"
#include "voices.h"

typedef enum grain_setting {
	GRAIN_LINE,     /* value[0..3]: x0 y0 x1 y1 (dim 1: none, the terrain's axis); scans the line */
	GRAIN_AREA,     /* value[0..2]: cx cy r; scans the disc */
	GRAIN_POSITION, /* dim 1: P on the line; dim 2: X Y in the disc */
	GRAIN_SIZE,     /* ms */
	GRAIN_DENSITY,  /* grains per second */
	GRAIN_SPRAY,    /* 0..1 */
	GRAIN_WINDOW,   /* a grain_window */
	GRAIN_FREEZE,   /* 0 or 1 */
	GRAIN_GAIN,     /* 0..4 */
	GRAIN_ON,       /* 0 or 1 */
} grain_setting;

typedef enum grain_window { GRAIN_HANN, GRAIN_TUKEY, GRAIN_RECT } grain_window;

typedef struct grain {
	int voice;                   /* the pool's voice it sounds on; -1: this slot is free */
	int offset;                  /* where its window starts in the present call (0 after its first) */
	int length, done;            /* samples of its window, and how many have played */
	float spray[2];              /* its offset from the scanner: along the line ([0]) or in the disc */
	float saved_gain, saved_pan; /* the voice's, given back when the grain ends */
} grain;

typedef struct grains {
	/* settings (render thread) */
	int on, freeze, in_area, line_set, area_set;
	float line[4];                 /* x0 y0 x1 y1 */
	float area[3];                 /* cx cy r */
	float position[3], scanner[3]; /* asked, and where the scanner is (held while frozen): P, then X Y */
	float size_ms, density_hz, spray, gain;
	grain_window window;
	/* scheduler */
	double until_next; /* samples from the present call's start to the next grain */
	int rate;          /* the model's, from the last call */
	uint64_t random;   /* splitmix64 state */
	grain active[VOICES_MAX];
	/* counters and the scanner for /notify (any thread) */
	atomic_uint_fast64_t started, skipped;
	atomic_int sounding;
	atomic_uint cursor_bits[2];
	atomic_int cursor_on;
} grains;

typedef struct grains_stats {
	uint64_t started, skipped; /* grains started, and those skipped with no voice free */
	int sounding;
} grains_stats;

/* Off, with the defaults (50 ms hann grains, 10 a second, no spray, gain 1,
 * the terrain's diagonal or axis) and the generator seeded with `seed`. */
void grains_init(grains *g, uint64_t seed);
void grains_seed(grains *g, uint64_t seed);

/* Validates one /grain/<verb> message for a terrain of control_dim `dim`:
 * `values` (n numbers) or `word` (one string, else NULL). On success fills
 * the setting, its values and their count; -1 with a sentence otherwise. */
int grains_message(const char *verb, int dim, const float *values, int n, const char *word, int *setting, float *out,
                   int *out_n, char *why, size_t whylen);

/* Applies a validated setting (render thread). */
void grains_apply(grains *g, int setting, const float *values, int n);

/* The performer took voice n (a control event for it): a grain sounding
 * there stops being one and the voice plays on as theirs. */
void grains_release_voice(grains *g, int n);

/* Before a decode call of `samples` samples at `rate`: starts the grains
 * due in it on free voices of `pool` (rows/row_used: the scene's), and
 * places every grain voice's cursor on the scan. */
void grains_begin_call(grains *g, voice_pool *pool, const terrain *t, int rows, unsigned char *row_used, int samples,
                       int rate);
/* After the decode, before the mix: windows each grain's row of `planar`
 * (rows × channels × samples). */
void grains_window(grains *g, const voice_pool *pool, float *planar, int channels, int samples);
/* Zeroes the grains' rows of another scene's decode (`rows` rows): the
 * scene fading out after a swap plays its voices held, without windows. */
void grains_silence(const grains *g, const voice_pool *pool, float *planar, int rows, int channels, int samples);
/* After the mix: frees the voices of the grains whose window has ended. */
void grains_end_call(grains *g, voice_pool *pool);

/* The window's value at sample i of n. */
float grains_window_at(grain_window w, int i, int n);

void grains_stats_read(const grains *g, grains_stats *s);
/* The scanner's point on the terrain (axes 0 and 1); returns whether the
 * synthesiser is on. */
int grains_cursor(const grains *g, float *xy);

#endif
