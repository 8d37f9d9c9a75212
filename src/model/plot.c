/*
 * plot.c — terrain pictures. The grid is evaluated in one batch per core
 * (terrain_eval_batch: terrain.c's vector kernels), then each channel is
 * normalised to its own range over the picture.
 */
#include "plot.h"

#include "atomic_file.h"
#include "error.h"

#include <math.h>
#include <png.h>
#include <pthread.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>

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

static void draw_overlay(const terrain *t, const plot_options *o, unsigned char *rgb)
{
	const dataset *d = o->overlay;
	for (int i = 0; d && i < d->n_items; i++) {
		if (!d->items[i].coords)
			continue;
		for (int f = 0; f < d->items[i].frames; f++) {
			const float *c = d->items[i].coords + (size_t)f * d->control_dim;
			int px =
			    (int)((c[0] - t->bounds_min[0]) / (t->bounds_max[0] - t->bounds_min[0]) * (o->width - 1) +
			          0.5f);
			int py =
			    (int)((t->bounds_max[1] - c[1]) / (t->bounds_max[1] - t->bounds_min[1]) * (o->height - 1) +
			          0.5f);
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int x = px + dx, y = py + dy;
					if (x >= 0 && y >= 0 && x < o->width && y < o->height)
						for (int k = 0; k < 3; k++)
							rgb[((size_t)y * o->width + x) * 3 + k] = 255;
				}
		}
	}
}

typedef struct batch_job {
	const terrain *t;
	const float *coords;
	float *z;
	size_t count;
	int rc;
	char err[256];
} batch_job;

static void *run_batch(void *arg)
{
	batch_job *j = arg;
	j->rc = terrain_eval_batch(j->t, j->coords, j->count, j->z, j->err, sizeof j->err);
	return NULL;
}

/* The grid in one slice per core: plotting is offline work and may use
 * the whole machine. */
static int eval_grid(const terrain *t, const float *coords, size_t n, float *z, char *err, size_t errlen)
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
	int rc = eval_grid(t, coords, n, z, err, errlen);
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
	if (rc == 0)
		draw_overlay(t, o, rgb);
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
