/*
 * dataset.c — corpus datasets: JSON I/O and the layouts that pair latent
 * frames with control coordinates.
 */
#include "dataset.h"

#include "error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "json_scope.h"
#include "json_util.h"
#include "path.h"

enum { DATASET_FILE_MAX_BYTES = 512 * 1024 * 1024, DATASET_MAX_FRAMES = 10 * 1000 * 1000 };
static const float layout_extent = 0.9f; /* layouts stay inside [-0.9, 0.9]: the bounds keep a margin */

dataset *dataset_new(const terrain_model_info *model, int latent_dim, int control_dim)
{
	dataset *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	if (model)
		d->model = *model;
	d->latent_dim = latent_dim;
	d->control_dim = control_dim;
	return d;
}

int dataset_add(dataset *d, const char *source, const float *latents, int frames, char *err, size_t errlen)
{
	if (frames < 1)
		return error_set(err, errlen, "%s: no latent frames (the audio is shorter than one frame)", source);
	char name[sizeof d->items->source];
	if (path_copy(name, sizeof name, source, "the source path", err, errlen) < 0)
		return -1;
	dataset_item *items = realloc(d->items, sizeof *items * (size_t)(d->n_items + 1));
	if (!items)
		return error_set(err, errlen, "out of memory");
	d->items = items;
	dataset_item *it = &items[d->n_items];
	memset(it, 0, sizeof *it);
	memcpy(it->source, name, sizeof name);
	it->frames = frames;
	it->latents = malloc(sizeof(float) * (size_t)frames * (size_t)d->latent_dim);
	if (!it->latents)
		return error_set(err, errlen, "out of memory");
	memcpy(it->latents, latents, sizeof(float) * (size_t)frames * (size_t)d->latent_dim);
	d->n_items++;
	return 0;
}

void dataset_free(dataset *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->n_items; i++) {
		free(d->items[i].latents);
		free(d->items[i].coords);
	}
	free(d->items);
	free(d);
}

int dataset_total_frames(const dataset *d)
{
	int n = 0;
	for (int i = 0; i < d->n_items; i++)
		n += d->items[i].frames;
	return n;
}

int dataset_has_coords(const dataset *d)
{
	for (int i = 0; i < d->n_items; i++)
		if (!d->items[i].coords)
			return 0;
	return d->n_items > 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static cJSON *matrix(const float *v, int rows, int cols)
{
	cJSON *m = cJSON_CreateArray();
	for (int r = 0; r < rows; r++)
		cJSON_AddItemToArray(m, json_float_array(v + (size_t)r * cols, cols));
	return m;
}

int dataset_save(const dataset *d, const char *path, char *err, size_t errlen)
{
	json_scope *scope = json_scope_open(); /* the tree and its text, outside the heap */
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", "terraind-dataset");
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON *model = cJSON_AddObjectToObject(root, "model");
	cJSON_AddStringToObject(model, "id", d->model.id);
	cJSON_AddNumberToObject(model, "latent_dim", d->latent_dim);
	cJSON_AddNumberToObject(model, "sample_rate", d->model.sample_rate);
	cJSON_AddNumberToObject(model, "ratio", d->model.ratio);
	cJSON_AddNumberToObject(root, "control_dim", d->control_dim);
	cJSON *items = cJSON_AddArrayToObject(root, "items");
	for (int i = 0; i < d->n_items; i++) {
		const dataset_item *it = &d->items[i];
		cJSON *item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "source", it->source);
		cJSON_AddItemToObject(item, "latents", matrix(it->latents, it->frames, d->latent_dim));
		if (it->coords)
			cJSON_AddItemToObject(item, "coords", matrix(it->coords, it->frames, d->control_dim));
		cJSON_AddItemToArray(items, item);
	}
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	int rc = text ? atomic_file_write_text(path, text, err, errlen) /* a failed save never replaces a good file */
	              : error_set(err, errlen, "out of memory writing %s", path);
	cJSON_free(text);
	json_scope_close(scope);
	return rc;
}

static int read_item(dataset *d, const cJSON *json, int index, char *err, size_t errlen)
{
	char what[64];
	const cJSON *latents = cJSON_GetObjectItemCaseSensitive(json, "latents");
	const cJSON *source = cJSON_GetObjectItemCaseSensitive(json, "source");
	int frames = cJSON_GetArraySize(latents);
	if (!cJSON_IsArray(latents) || frames < 1 || frames > DATASET_MAX_FRAMES)
		return error_set(err, errlen, "items[%d].latents must be a non-empty array of frames", index);
	float *buf = malloc(sizeof(float) * (size_t)frames * (size_t)d->latent_dim);
	if (!buf)
		return error_set(err, errlen, "out of memory");
	snprintf(what, sizeof what, "items[%d].latents", index);
	int rc = json_read_matrix(latents, frames, d->latent_dim, buf, what, err, errlen);
	if (rc == 0)
		rc = dataset_add(d, cJSON_IsString(source) ? source->valuestring : "?", buf, frames, err, errlen);
	free(buf);
	const cJSON *coords = cJSON_GetObjectItemCaseSensitive(json, "coords");
	if (rc < 0 || !coords)
		return rc;
	dataset_item *it = &d->items[d->n_items - 1];
	it->coords = malloc(sizeof(float) * (size_t)frames * (size_t)d->control_dim);
	if (!it->coords)
		return error_set(err, errlen, "out of memory");
	snprintf(what, sizeof what, "items[%d].coords", index);
	return json_read_matrix(coords, frames, d->control_dim, it->coords, what, err, errlen);
}

static int read_dataset(const cJSON *root, dataset **out, char *err, size_t errlen)
{
	const char *format;
	int latent_dim, control_dim, sample_rate = 0, ratio = 0;
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
	if (!cJSON_IsObject(root) || json_get_string(root, "format", &format, err, errlen) < 0)
		return error_set(err, errlen, "not a terraind dataset (no \"format\")");
	if (strcmp(format, "terraind-dataset") != 0)
		return error_set(err, errlen, "'format' is \"%s\", expected \"terraind-dataset\"", format);
	if (!cJSON_IsObject(model) ||
	    json_get_int(model, "latent_dim", 1, TERRAIN_MAX_LATENT_DIM, &latent_dim, err, errlen) < 0 ||
	    json_get_int(root, "control_dim", 1, TERRAIN_MAX_CONTROL_DIM, &control_dim, err, errlen) < 0)
		return -1;
	json_get_int(model, "sample_rate", 1, 384000, &sample_rate, err, errlen);
	json_get_int(model, "ratio", 1, 1 << 20, &ratio, err, errlen);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(model, "id");
	terrain_model_info info = {.latent_dim = latent_dim, .sample_rate = sample_rate, .ratio = ratio};
	if (cJSON_IsString(id) && path_copy(info.id, sizeof info.id, id->valuestring, "model.id", err, errlen) < 0)
		return -1;
	dataset *d = dataset_new(&info, latent_dim, control_dim);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (!d || !cJSON_IsArray(items) || cJSON_GetArraySize(items) < 1) {
		dataset_free(d);
		return error_set(err, errlen, "'items' must be a non-empty array (an empty corpus?)");
	}
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, items)
	{
		if (read_item(d, item, i++, err, errlen) < 0) {
			dataset_free(d);
			return -1;
		}
	}
	*out = d;
	return 0;
}

int dataset_load(const char *path, dataset **out, char *err, size_t errlen)
{
	*out = NULL;
	char *text, why[512];
	json_scope *scope = json_scope_open(); /* the text and a node per latent value, never in the heap */
	if (json_read_file(path, DATASET_FILE_MAX_BYTES, &text, err, errlen) < 0) {
		json_scope_close(scope);
		return -1;
	}
	cJSON *root = json_parse(text, why, sizeof why);
	cJSON_free(text);
	int rc = root ? read_dataset(root, out, why, sizeof why) : -1;
	cJSON_Delete(root);
	json_scope_close(scope);
	return rc < 0 ? error_set(err, errlen, "%s: %s", path, why) : 0;
}

/* ---- layouts ------------------------------------------------------------------ */

static int alloc_coords(dataset *d, char *err, size_t errlen)
{
	if (d->control_dim != 2)
		return error_set(err, errlen, "layouts place frames in 2-D; this dataset has %d control dimensions",
		                 d->control_dim);
	for (int i = 0; i < d->n_items; i++) {
		dataset_item *it = &d->items[i];
		free(it->coords);
		it->coords = calloc((size_t)it->frames * 2, sizeof(float));
		if (!it->coords)
			return error_set(err, errlen, "out of memory");
	}
	return 0;
}

/* Scales each axis of all coordinates into [-extent, extent]. */
static void normalise_coords(dataset *d)
{
	for (int axis = 0; axis < 2; axis++) {
		float lo = INFINITY, hi = -INFINITY;
		for (int i = 0; i < d->n_items; i++)
			for (int f = 0; f < d->items[i].frames; f++) {
				float v = d->items[i].coords[2 * f + axis];
				lo = fminf(lo, v);
				hi = fmaxf(hi, v);
			}
		float span = hi - lo > 1e-12f ? hi - lo : 1.0f;
		for (int i = 0; i < d->n_items; i++)
			for (int f = 0; f < d->items[i].frames; f++) {
				float *v = &d->items[i].coords[2 * f + axis];
				*v = hi - lo > 1e-12f ? layout_extent * (2.0f * (*v - lo) / span - 1.0f) : 0.0f;
			}
	}
}

/* The dominant eigenvector of the symmetric matrix c (n × n), by power
 * iteration; `next` is scratch for n values. */
static void dominant_eigenvector(const double *c, int n, double *v, double *next)
{
	for (int i = 0; i < n; i++)
		v[i] = 1.0 / sqrt(n) + 1e-3 * i; /* not orthogonal to anything in particular */
	for (int iter = 0; iter < 500; iter++) {
		double norm = 0;
		for (int i = 0; i < n; i++) {
			next[i] = 0;
			for (int j = 0; j < n; j++)
				next[i] += c[(size_t)i * n + j] * v[j];
			norm += next[i] * next[i];
		}
		norm = sqrt(norm);
		if (norm < 1e-300)
			break;
		for (int i = 0; i < n; i++)
			v[i] = next[i] / norm;
	}
}

/* A linear layout's workspace: the latent channels it reads, their mean,
 * an n × n matrix to find the two axes in, the axes, and scratch. */
typedef struct projection {
	int n;
	int *ch;
	double *mean, *m, *axes, *scratch, *more;
} projection;

static void projection_free(projection *p)
{
	free(p->ch), free(p->mean), free(p->m), free(p->axes), free(p->scratch), free(p->more);
}

/* The channels a projection reads: `latents` (n_latents of them), or every
 * channel when n_latents is 0; and their mean over every frame. */
static int projection_init(projection *p, const dataset *d, const int *latents, int n_latents, char *err, size_t errlen)
{
	const size_t dim = (size_t)d->latent_dim;
	*p = (projection){.ch = malloc(sizeof(int) * dim),
	                  .mean = calloc(dim, sizeof(double)),
	                  .m = calloc(dim * dim, sizeof(double)),
	                  .axes = calloc(2 * dim, sizeof(double)),
	                  .scratch = calloc(dim, sizeof(double)),
	                  .more = calloc(dim * dim, sizeof(double))};
	if (!p->ch || !p->mean || !p->m || !p->axes || !p->scratch || !p->more)
		return error_set(err, errlen, "out of memory");
	p->n = n_latents ? n_latents : d->latent_dim;
	for (int k = 0; k < p->n; k++) {
		p->ch[k] = n_latents ? latents[k] : k;
		if (p->ch[k] < 0 || p->ch[k] >= d->latent_dim)
			return error_set(err, errlen, "latent %d does not exist (the dataset has %d latents: 0 to %d)",
			                 p->ch[k], d->latent_dim, d->latent_dim - 1);
	}
	int total = dataset_total_frames(d);
	for (int i = 0; i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++)
			for (int k = 0; k < p->n; k++)
				p->mean[k] += d->items[i].latents[(size_t)f * d->latent_dim + p->ch[k]] / total;
	return 0;
}

/* Adds w (x - c)(x - c)ᵀ to the n × n matrix m. */
static void add_outer(double *m, int n, const double *x, const double *c, double w)
{
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			m[(size_t)a * n + b] += w * (x[a] - c[a]) * (x[b] - c[b]);
}

/* Frame f of item i on the projection's channels, into x. */
static void frame_values(const dataset *d, const projection *p, int i, int f, double *x)
{
	for (int k = 0; k < p->n; k++)
		x[k] = d->items[i].latents[(size_t)f * d->latent_dim + p->ch[k]];
}

/* The two leading eigenvectors of the symmetric matrix m (destroyed), by
 * power iteration and deflation, into the projection's axes. */
static void leading_axes(projection *p, double *m)
{
	const int n = p->n;
	for (int q = 0; q < 2; q++) {
		double *v = p->axes + (size_t)q * n;
		dominant_eigenvector(m, n, v, p->scratch);
		double lambda = 0; /* deflate: remove this component */
		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++)
				lambda += v[a] * m[(size_t)a * n + b] * v[b];
		for (int a = 0; a < n; a++)
			for (int b = 0; b < n; b++)
				m[(size_t)a * n + b] -= lambda * v[a] * v[b];
	}
}

/* Every frame's coordinates: its offset from the mean along the two axes,
 * then scaled into the layout's square. */
static void project(dataset *d, projection *p)
{
	double *x = p->scratch;
	for (int i = 0; i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++) {
			frame_values(d, p, i, f, x);
			for (int q = 0; q < 2; q++) {
				double s = 0;
				for (int k = 0; k < p->n; k++)
					s += (x[k] - p->mean[k]) * p->axes[(size_t)q * p->n + k];
				d->items[i].coords[2 * f + q] = (float)s;
			}
		}
	normalise_coords(d);
}

static int layout_pca(dataset *d, const int *latents, int n_latents, char *err, size_t errlen)
{
	projection p;
	int rc = projection_init(&p, d, latents, n_latents, err, errlen);
	for (int i = 0; rc == 0 && i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++) {
			frame_values(d, &p, i, f, p.more);
			add_outer(p.m, p.n, p.more, p.mean, 1.0);
		}
	if (rc == 0) {
		leading_axes(&p, p.m);
		project(d, &p);
	}
	projection_free(&p);
	return rc;
}

/* a = L Lᵀ, L lower triangular, in place (n × n); -1 when a is not
 * positive definite. */
static int cholesky(double *a, int n)
{
	for (int j = 0; j < n; j++) {
		double s = a[(size_t)j * n + j];
		for (int k = 0; k < j; k++)
			s -= a[(size_t)j * n + k] * a[(size_t)j * n + k];
		if (!(s > 0))
			return -1;
		a[(size_t)j * n + j] = sqrt(s);
		for (int i = j + 1; i < n; i++) {
			double t = a[(size_t)i * n + j];
			for (int k = 0; k < j; k++)
				t -= a[(size_t)i * n + k] * a[(size_t)j * n + k];
			a[(size_t)i * n + j] = t / a[(size_t)j * n + j];
		}
	}
	return 0;
}

/* x = L⁻¹ x (stride: between x's values), L from cholesky(). */
static void solve_lower(const double *l, int n, double *x, int stride)
{
	for (int i = 0; i < n; i++) {
		double t = x[(size_t)i * stride];
		for (int k = 0; k < i; k++)
			t -= l[(size_t)i * n + k] * x[(size_t)k * stride];
		x[(size_t)i * stride] = t / l[(size_t)i * n + i];
	}
}

/* x = L⁻ᵀ x. */
static void solve_upper(const double *l, int n, double *x)
{
	for (int i = n - 1; i >= 0; i--) {
		double t = x[i];
		for (int k = i + 1; k < n; k++)
			t -= l[(size_t)k * n + i] * x[k];
		x[i] = t / l[(size_t)i * n + i];
	}
}

/* The within-group scatter (into p->m) and the between-group scatter
 * (into p->more) of the frames, grouped by their items' groups. */
static int group_scatters(const dataset *d, projection *p, const int *item_group, int n_groups, char *err,
                          size_t errlen)
{
	const int n = p->n;
	double *means = calloc((size_t)n_groups * n, sizeof(double)), *x = p->scratch;
	int *counts = calloc((size_t)n_groups, sizeof(int));
	if (!means || !counts) {
		free(means), free(counts);
		return error_set(err, errlen, "out of memory");
	}
	for (int i = 0; i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++) {
			frame_values(d, p, i, f, x);
			for (int k = 0; k < n; k++)
				means[(size_t)item_group[i] * n + k] += x[k];
			counts[item_group[i]]++;
		}
	int rc = 0;
	for (int g = 0; g < n_groups; g++) {
		if (counts[g] == 0) {
			rc = error_set(err, errlen, "group %d has no frames", g);
			break;
		}
		for (int k = 0; k < n; k++)
			means[(size_t)g * n + k] /= counts[g];
		add_outer(p->more, n, means + (size_t)g * n, p->mean, counts[g]);
	}
	for (int i = 0; rc == 0 && i < d->n_items; i++)
		for (int f = 0; f < d->items[i].frames; f++) {
			frame_values(d, p, i, f, x);
			add_outer(p->m, n, x, means + (size_t)item_group[i] * n, 1.0);
		}
	free(means), free(counts);
	return rc;
}

/* Fisher's discriminant axes: with Sw = L Lᵀ, the leading eigenvectors u of
 * L⁻¹ Sb L⁻ᵀ (symmetric) give the axes L⁻ᵀ u, the directions that
 * maximise between-group over within-group spread. */
static int layout_lda(dataset *d, const int *item_group, int n_groups, const int *latents, int n_latents, char *err,
                      size_t errlen)
{
	projection p;
	int rc = projection_init(&p, d, latents, n_latents, err, errlen);
	if (rc == 0)
		rc = group_scatters(d, &p, item_group, n_groups, err, errlen);
	const int n = p.n;
	double trace = 0;
	for (int k = 0; rc == 0 && k < n; k++)
		trace += p.m[(size_t)k * n + k];
	for (int k = 0; rc == 0 && k < n; k++) /* a channel that never varies within a group */
		p.m[(size_t)k * n + k] += 1e-6 * (trace > 0 ? trace / n : 1.0);
	if (rc == 0 && cholesky(p.m, n) < 0)
		rc = error_set(err, errlen, "the latents' spread within the groups is degenerate");
	for (int c = 0; rc == 0 && c < n; c++) /* more = L⁻¹ Sb, column by column */
		solve_lower(p.m, n, p.more + c, n);
	for (int r = 0; rc == 0 && r < n; r++) /* more = L⁻¹ (L⁻¹ Sb)ᵀ = L⁻¹ Sb L⁻ᵀ, row by row */
		solve_lower(p.m, n, p.more + (size_t)r * n, 1);
	if (rc == 0) {
		double *between = malloc(sizeof(double) * (size_t)n * n);
		if (!between)
			rc = error_set(err, errlen, "out of memory");
		for (int a = 0; between && a < n; a++) /* symmetrised against rounding */
			for (int b = 0; b < n; b++)
				between[(size_t)a * n + b] =
				    0.5 * (p.more[(size_t)a * n + b] + p.more[(size_t)b * n + a]);
		if (between) {
			leading_axes(&p, between);
			solve_upper(p.m, n, p.axes);
			solve_upper(p.m, n, p.axes + n);
			project(d, &p);
		}
		free(between);
	}
	projection_free(&p);
	return rc;
}

/* Places frame f of item i (of `frames`) by shape. */
static void shape_point(const char *shape, int i, int n_items, double t, double global_t, float *xy)
{
	const double two_pi = 6.283185307179586;
	if (strcmp(shape, "line") == 0) {
		xy[0] = (float)(-layout_extent + 2 * layout_extent * t);
		xy[1] = (float)(n_items > 1 ? -layout_extent + 2 * layout_extent * i / (n_items - 1) : 0);
	} else if (strcmp(shape, "circle") == 0) {
		double r = layout_extent * (i + 1) / n_items;
		xy[0] = (float)(r * cos(two_pi * t));
		xy[1] = (float)(r * sin(two_pi * t));
	} else { /* spiral: three turns, radius growing with time over the whole corpus */
		double r = layout_extent * (0.1 + 0.9 * global_t);
		xy[0] = (float)(r * cos(3 * two_pi * global_t));
		xy[1] = (float)(r * sin(3 * two_pi * global_t));
	}
}

static int layout_shape(dataset *d, const char *shape)
{
	int total = dataset_total_frames(d), done = 0;
	for (int i = 0; i < d->n_items; i++) {
		dataset_item *it = &d->items[i];
		for (int f = 0; f < it->frames; f++, done++) {
			double t = it->frames > 1 ? (double)f / (it->frames - 1) : 0.5;
			double g = total > 1 ? (double)done / (total - 1) : 0.5;
			shape_point(shape, i, d->n_items, t, g, it->coords + 2 * f);
		}
	}
	return 0;
}

int dataset_layout(dataset *d, const char *layout, char *err, size_t errlen)
{
	return dataset_layout_latents(d, layout, NULL, 0, err, errlen);
}

int dataset_layout_latents(dataset *d, const char *layout, const int *latents, int n_latents, char *err, size_t errlen)
{
	static const char *const known[] = {"pca", "line", "circle", "spiral"};
	int ok = 0;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		ok |= strcmp(layout, known[i]) == 0;
	if (strcmp(layout, "lda") == 0)
		return error_set(err, errlen, "the lda layout needs each item's group (dataset_layout_lda)");
	if (!ok)
		return error_set(err, errlen, "unknown layout \"%s\" (pca, lda, line, circle or spiral)", layout);
	if (alloc_coords(d, err, errlen) < 0)
		return -1;
	return strcmp(layout, "pca") == 0 ? layout_pca(d, latents, n_latents, err, errlen) : layout_shape(d, layout);
}

int dataset_layout_lda(dataset *d, const int *item_group, int n_groups, const int *latents, int n_latents, char *err,
                       size_t errlen)
{
	if (n_groups < 2)
		return error_set(err, errlen, "the lda layout needs at least 2 groups of sounds, the corpus has %d",
		                 n_groups);
	for (int i = 0; i < d->n_items; i++)
		if (item_group[i] < 0 || item_group[i] >= n_groups)
			return error_set(err, errlen, "item %d's group %d is not one of the %d", i, item_group[i],
			                 n_groups);
	if (alloc_coords(d, err, errlen) < 0)
		return -1;
	return layout_lda(d, item_group, n_groups, latents, n_latents, err, errlen);
}

/* ---- user paths -------------------------------------------------------------------- */

/* Lays item `it` along the polyline pts (n points), by arc length; `cum`
 * is scratch for n values. */
static void lay_along(dataset_item *it, const float *pts, int n, double *cum)
{
	cum[0] = 0;
	for (int k = 1; k < n; k++)
		cum[k] = cum[k - 1] + hypot(pts[2 * k] - pts[2 * k - 2], pts[2 * k + 1] - pts[2 * k - 1]);
	int seg = 0;
	for (int f = 0; f < it->frames; f++) {
		double s = cum[n - 1] * (it->frames > 1 ? (double)f / (it->frames - 1) : 0.0);
		while (seg + 2 < n && cum[seg + 1] < s)
			seg++;
		double len = n > 1 ? cum[seg + 1] - cum[seg] : 0;
		double w = len > 0 ? (s - cum[seg]) / len : 0;
		const float *a = pts + 2 * seg, *b = pts + 2 * (n > 1 ? seg + 1 : seg);
		it->coords[2 * f] = (float)(a[0] + w * (b[0] - a[0]));
		it->coords[2 * f + 1] = (float)(a[1] + w * (b[1] - a[1]));
	}
}

static int apply_stroke(dataset *d, const cJSON *stroke, int s, unsigned char *covered, char *err, size_t errlen)
{
	int item, n;
	char what[64];
	if (json_get_int(stroke, "item", 0, d->n_items - 1, &item, err, errlen) < 0)
		return -1;
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(stroke, "points");
	n = cJSON_GetArraySize(points);
	if (!cJSON_IsArray(points) || n < 2)
		return error_set(err, errlen, "strokes[%d].points must hold at least two points [x, y]", s);
	float *pts = malloc(sizeof(float) * 2 * (size_t)n);
	double *cum = malloc(sizeof(double) * (size_t)n);
	snprintf(what, sizeof what, "strokes[%d].points", s);
	int rc = pts && cum ? json_read_matrix(points, n, 2, pts, what, err, errlen)
	                    : error_set(err, errlen, "out of memory");
	if (rc == 0) {
		lay_along(&d->items[item], pts, n, cum);
		covered[item] = 1;
	}
	free(pts);
	free(cum);
	return rc;
}

int dataset_apply_paths(dataset *d, const char *path, char *err, size_t errlen)
{
	char *text, why[512];
	if (json_read_file(path, 64 * 1024 * 1024, &text, err, errlen) < 0)
		return -1;
	cJSON *root = json_parse(text, why, sizeof why);
	cJSON_free(text);
	const cJSON *strokes = root ? cJSON_GetObjectItemCaseSensitive(root, "strokes") : NULL;
	int rc = -1;
	if (root && !cJSON_IsArray(strokes))
		snprintf(why, sizeof why, "'strokes' must be an array of {\"item\": N, \"points\": [[x, y], ...]}");
	else if (root && alloc_coords(d, why, sizeof why) == 0) {
		unsigned char *covered = calloc((size_t)d->n_items, 1);
		rc = covered ? 0 : error_set(why, sizeof why, "out of memory");
		int s = 0;
		const cJSON *stroke;
		cJSON_ArrayForEach(stroke, strokes)
		{
			if (rc == 0)
				rc = apply_stroke(d, stroke, s++, covered, why, sizeof why);
		}
		for (int i = 0; rc == 0 && i < d->n_items; i++)
			if (!covered[i])
				rc = error_set(why, sizeof why, "item %d (%s) has no stroke", i, d->items[i].source);
		free(covered);
	}
	cJSON_Delete(root);
	return rc < 0 ? error_set(err, errlen, "%s: %s", path, why) : 0;
}
