/*
 * plot.c — terrain pictures. The grid is evaluated in one batch per core
 * (terrain_eval_batch: terrain.c's vector kernels), then each channel is
 * normalised to its own range over the picture; paths and labels are
 * drawn over it (labels with glyphs.c's font, twice the size from 384
 * pixels up).
 */
#include "plot.h"
#include "terrain_preview.h"

#include "atomic_file.h"
#include "error.h"
#include "glyphs.h"

#include <math.h>
#include <png.h>
#include <pthread.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A viridis-like ramp: dark blue, teal, green, yellow. */
static void ramp(float v, unsigned char *rgb)
{
	static const float stops[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
	v = fminf(fmaxf(v, 0.0f), 1.0f) * 4.0f;
	int i = v >= 4.0f ? 3 : (int)v;
	float w = v - (float)i;
	for (int c = 0; c < 3; c++)
		rgb[c] = (unsigned char)(stops[i][c] + w * (stops[i + 1][c] - stops[i][c]) + 0.5f);
}

static void normalise_channel(const float *z, size_t n, int stride, int channel, float *lo, float *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		*lo = fminf(*lo, z[i * stride + channel]);
		*hi = fmaxf(*hi, z[i * stride + channel]);
	}
	if (!(*hi > *lo))
		*hi = *lo + 1.0f;
}

/* Pixel of a control coordinate (first two axes), -1 off the picture. */
static int pixel_of(const terrain *t, const plot_options *o, float x, float y, int *px, int *py)
{
	*px = (int)lrintf((x - t->bounds_min[0]) / (t->bounds_max[0] - t->bounds_min[0]) * (o->width - 1));
	*py = t->control_dim > 1
	          ? (int)lrintf((t->bounds_max[1] - y) / (t->bounds_max[1] - t->bounds_min[1]) * (o->height - 1))
	          : o->height / 2;
	return *px >= 0 && *py >= 0 && *px < o->width && *py < o->height ? 0 : -1;
}

static void put(const plot_options *o, unsigned char *rgb, int x, int y, unsigned char v)
{
	if (x >= 0 && y >= 0 && x < o->width && y < o->height)
		memset(rgb + ((size_t)y * o->width + x) * 3, v, 3);
}

static void draw_paths(const terrain *t, const plot_options *o, unsigned char *rgb)
{
	for (int p = 0; p < o->n_paths; p++)
		for (int i = 0; i < o->paths[p].n; i++) {
			int px, py;
			pixel_of(t, o, o->paths[p].xy[2 * i], o->paths[p].xy[2 * i + 1], &px, &py);
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++)
					put(o, rgb, px + dx, py + dy, 255);
		}
}

/* Text and rings are drawn twice: a black halo (every pixel's
 * neighbours), then white, so they read on any colour. */
static void draw_text(const plot_options *o, unsigned char *rgb, const char *text, int x0, int y0, int scale, int halo)
{
	for (int i = 0; text[i]; i++)
		for (int row = 0; row < GLYPH_HEIGHT * scale; row++)
			for (int col = 0; col < GLYPH_WIDTH * scale; col++) {
				if (!(glyph_row(text[i], row / scale) & (0x10u >> (col / scale))))
					continue;
				int x = x0 + i * GLYPH_ADVANCE * scale + col, y = y0 + row;
				for (int dy = -halo; dy <= halo; dy++)
					for (int dx = -halo; dx <= halo; dx++)
						put(o, rgb, x + dx, y + dy, halo ? 0 : 255);
			}
}

static void draw_ring(const plot_options *o, unsigned char *rgb, int cx, int cy, int r, int halo)
{
	for (int dy = -r - 2; dy <= r + 2; dy++)
		for (int dx = -r - 2; dx <= r + 2; dx++) {
			float d = sqrtf((float)(dx * dx + dy * dy)) - (float)r;
			if (halo ? fabsf(d) <= 2.0f : fabsf(d) <= 0.75f)
				put(o, rgb, cx + dx, cy + dy, halo ? 0 : 255);
		}
}

typedef struct text_box {
	int x0, y0, x1, y1;
} text_box;

static int boxes_overlap(text_box a, text_box b)
{
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* Where a label's name goes: beside its ring, right or left, level with
 * it or a line or two above or below, the first place inside the picture
 * that nothing `taken` covers (else the first inside the picture). */
static text_box place_name(const plot_options *o, int px, int py, int w, int scale, const text_box *taken, int n)
{
	const int gap = 6 * scale, h = GLYPH_HEIGHT * scale, line = h + 2 * scale;
	const int shifts[] = {0, -line, line, -2 * line, 2 * line};
	text_box fallback = {-1, 0, 0, 0};
	for (size_t s = 0; s < sizeof shifts / sizeof shifts[0]; s++)
		for (int side = 0; side < 2; side++) {
			int x = side ? px - gap - w : px + gap, y = py - h / 2 + shifts[s];
			text_box b = {x - scale, y - scale, x + w + scale, y + h + scale};
			if (b.x0 < 0 || b.y0 < 0 || b.x1 > o->width || b.y1 > o->height)
				continue;
			int free_here = 1;
			for (int k = 0; k < n && free_here; k++)
				free_here = !boxes_overlap(b, taken[k]);
			if (free_here)
				return b;
			if (fallback.x0 < 0)
				fallback = b;
		}
	return fallback.x0 >= 0 ? fallback : (text_box){px + gap - scale, py - h / 2 - scale, 0, 0};
}

/* Each label: a ring where it lies and its name beside it, where the
 * rings and the names already placed leave room (place_name). */
static void draw_labels(const terrain *t, const plot_options *o, unsigned char *rgb)
{
	int scale = o->width >= 384 ? 2 : 1, r = 3 * scale, n = 0;
	int at[TERRAIN_MAX_LABELS][2], which[TERRAIN_MAX_LABELS];
	text_box taken[2 * TERRAIN_MAX_LABELS], names[TERRAIN_MAX_LABELS]; /* the rings, then the names */
	for (int i = 0; i < o->n_labels && n < TERRAIN_MAX_LABELS; i++)
		if (pixel_of(t, o, o->labels[i].x, o->labels[i].y, &at[n][0], &at[n][1]) == 0) {
			taken[n] = (text_box){at[n][0] - r - 1, at[n][1] - r - 1, at[n][0] + r + 2, at[n][1] + r + 2};
			which[n++] = i;
		}
	for (int k = 0; k < n; k++) {
		names[k] = place_name(o, at[k][0], at[k][1], glyph_text_width(o->labels[which[k]].name, scale), scale,
		                      taken, n + k);
		taken[n + k] = names[k];
	}
	for (int halo = 1; halo >= 0; halo--)
		for (int k = 0; k < n; k++) {
			draw_ring(o, rgb, at[k][0], at[k][1], r, halo);
			draw_text(o, rgb, o->labels[which[k]].name, names[k].x0 + scale, names[k].y0 + scale, scale,
			          halo);
		}
}

typedef struct batch_job {
	const terrain *t;
	const float *coords;
	float *z;
	size_t count;
	int preview;
	int rc;
	char err[256];
} batch_job;

static void *run_batch(void *arg)
{
	batch_job *j = arg;
	j->rc = j->preview ? terrain_eval_batch_preview(j->t, j->coords, j->count, j->z, j->err, sizeof j->err)
	                   : terrain_eval_batch(j->t, j->coords, j->count, j->z, j->err, sizeof j->err);
	return NULL;
}

/* The grid in one slice per core: plotting is offline work and may use
 * the whole machine. */
static int eval_grid(const terrain *t, const float *coords, size_t n, int preview, float *z, char *err, size_t errlen)
{
	enum { MAX_SLICES = 16 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int slices = cpus < 1 ? 1 : cpus > MAX_SLICES ? MAX_SLICES : (int)cpus;
	batch_job jobs[MAX_SLICES];
	pthread_t threads[MAX_SLICES];
	size_t per = (n + (size_t)slices - 1) / (size_t)slices;
	int started = 0;
	for (int s = 0; s < slices; s++) {
		size_t first = (size_t)s * per;
		jobs[s] = (batch_job){.t = t,
		                      .coords = coords + first * t->control_dim,
		                      .z = z + first * t->latent_dim,
		                      .preview = preview,
		                      .count = first < n ? (n - first < per ? n - first : per) : 0};
		if (s == 0 || pthread_create(&threads[s], NULL, run_batch, &jobs[s]) != 0)
			continue; /* slice 0 runs here, and any slice a thread could not take */
		started |= 1 << s;
	}
	for (int s = 0; s < slices; s++)
		if (!(started & (1 << s)))
			run_batch(&jobs[s]);
	for (int s = 1; s < slices; s++)
		if (started & (1 << s))
			pthread_join(threads[s], NULL);
	for (int s = 0; s < slices; s++)
		if (jobs[s].rc < 0)
			return error_set(err, errlen, "%s", jobs[s].err);
	return 0;
}

int plot_check_channels(const terrain *t, const plot_options *o, char *err, size_t errlen)
{
	int used = o->channels[1] < 0 ? 1 : 3;
	for (int k = 0; k < used; k++)
		if (o->channels[k] < 0 || o->channels[k] >= t->latent_dim)
			return error_set(err, errlen, "channel %d does not exist (the terrain has %d latents: 0 to %d)",
			                 o->channels[k], t->latent_dim, t->latent_dim - 1);
	return 0;
}

int plot_terrain(const terrain *t, const plot_options *o, unsigned char *rgb, char *err, size_t errlen)
{
	if (plot_check_channels(t, o, err, errlen) < 0)
		return -1;
	const size_t n = (size_t)o->width * o->height;
	const int dims = t->control_dim;
	float *coords = calloc(n * dims, sizeof(float)), *z = malloc(sizeof(float) * n * t->latent_dim);
	if (!coords || !z) {
		free(coords), free(z);
		return error_set(err, errlen, "out of memory for a %dx%d plot", o->width, o->height);
	}
	for (int y = 0; y < o->height; y++)
		for (int x = 0; x < o->width; x++) {
			float *c = coords + ((size_t)y * o->width + x) * dims;
			for (int d = 2; d < dims; d++) /* axes beyond x, y: the middle of their bounds */
				c[d] = 0.5f * (t->bounds_min[d] + t->bounds_max[d]);
			c[0] = t->bounds_min[0] + (t->bounds_max[0] - t->bounds_min[0]) * x / (o->width - 1);
			if (dims > 1)
				c[1] = t->bounds_max[1] - (t->bounds_max[1] - t->bounds_min[1]) * y / (o->height - 1);
		}
	int rc = eval_grid(t, coords, n, o->preview, z, err, errlen);
	int single = o->channels[1] < 0;
	float lo[3], hi[3];
	for (int k = 0; rc == 0 && k < (single ? 1 : 3); k++)
		normalise_channel(z, n, t->latent_dim, o->channels[k], &lo[k], &hi[k]);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const float *zi = z + i * t->latent_dim;
		if (single)
			ramp((zi[o->channels[0]] - lo[0]) / (hi[0] - lo[0]), rgb + 3 * i);
		else
			for (int k = 0; k < 3; k++)
				rgb[3 * i + k] =
				    (unsigned char)(255.0f * (zi[o->channels[k]] - lo[k]) / (hi[k] - lo[k]) + 0.5f);
	}
	if (rc == 0) {
		draw_paths(t, o, rgb);
		draw_labels(t, o, rgb);
	}
	free(coords);
	free(z);
	return rc;
}

int plot_write_png(const char *path, const unsigned char *rgb, int width, int height, char *err, size_t errlen)
{
	atomic_file a;
	if (atomic_file_open(&a, path, err, errlen) < 0)
		return -1;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		atomic_file_abort(&a);
		return error_set(err, errlen, "cannot encode %s as PNG", path);
	}
	png_init_io(png, a.f);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < height; y++)
		png_write_row(png, rgb + (size_t)y * width * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return atomic_file_commit(&a, err, errlen);
}
