/*
 * terrain_json.c — reading and writing terrain files, importing nn_terrain.
 *
 * Loading happens in two passes: first the shape (dimensions, layer widths)
 * is read and checked, then terrain_create() allocates everything at once
 * and the numbers are filled in with per-key checks. Every error names the
 * key, so a hand-edited file can be fixed from the message alone.
 */
#include "terrain_json.h"

#include "atomic_file.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_scope.h"
#include "json_util.h"
#include "path.h"
#include "torch_backend.h"

enum { TERRAIN_FILE_MAX_BYTES = 256 * 1024 * 1024 };

static const cJSON *member(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int check_header(const cJSON *root, char *err, size_t errlen)
{
	const char *format;
	int version;
	if (!cJSON_IsObject(root))
		return error_set(err, errlen, "a terrain file must hold one JSON object");
	if (json_get_string(root, "format", &format, err, errlen) < 0)
		return -1;
	if (strcmp(format, "terraind-terrain") != 0)
		return error_set(err, errlen, "'format' is \"%s\", expected \"terraind-terrain\"", format);
	if (json_get_int(root, "version", 1, 1000000, &version, err, errlen) < 0)
		return -1;
	if (version != TERRAIN_FORMAT_VERSION)
		return error_set(err, errlen, "'version' %d is not supported by this terraind (it reads version %d)",
		                 version, TERRAIN_FORMAT_VERSION);
	return 0;
}

static int read_shape(const cJSON *root, terrain_shape *shape, char *err, size_t errlen)
{
	memset(shape, 0, sizeof *shape);
	if (json_get_int(root, "control_dim", 1, TERRAIN_MAX_CONTROL_DIM, &shape->control_dim, err, errlen) < 0 ||
	    json_get_int(root, "latent_dim", 1, TERRAIN_MAX_LATENT_DIM, &shape->latent_dim, err, errlen) < 0)
		return -1;
	const cJSON *net = member(root, "network");
	if (!cJSON_IsObject(net))
		return error_set(err, errlen, "'network' must be an object");
	const char *type;
	if (json_get_string(net, "type", &type, err, errlen) < 0)
		return error_set(err, errlen, "network.type must be the string \"fourier-cppn\"");
	if (strcmp(type, "fourier-cppn") != 0)
		return error_set(err, errlen, "network.type is \"%s\", expected \"fourier-cppn\"", type);
	const cJSON *fourier = member(net, "fourier");
	if (fourier && !cJSON_IsNull(fourier)) {
		const cJSON *first = cJSON_GetArrayItem(fourier, 0);
		if (!cJSON_IsArray(fourier) || !cJSON_IsArray(first))
			return error_set(err, errlen, "network.fourier must be a matrix (an array of %d arrays)",
			                 shape->control_dim);
		shape->n_features = cJSON_GetArraySize(first);
	}
	const cJSON *layers = member(net, "layers");
	if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) < 1)
		return error_set(err, errlen, "network.layers must be a non-empty array");
	shape->n_layers = cJSON_GetArraySize(layers);
	if (shape->n_layers > TERRAIN_MAX_LAYERS)
		return error_set(err, errlen, "network.layers has %d layers, at most %d are allowed", shape->n_layers,
		                 TERRAIN_MAX_LAYERS);
	int i = 0;
	const cJSON *layer;
	cJSON_ArrayForEach(layer, layers)
	{
		const cJSON *w = member(layer, "weight");
		if (!cJSON_IsArray(w))
			return error_set(err, errlen, "network.layers[%d].weight must be a matrix", i);
		shape->widths[i++] = cJSON_GetArraySize(w);
	}
	return 0;
}

static int read_layer(const cJSON *json, terrain_layer *l, int index, int last, char *err, size_t errlen)
{
	char what[64];
	snprintf(what, sizeof what, "network.layers[%d].weight", index);
	if (json_read_matrix(member(json, "weight"), l->out, l->in, l->weight, what, err, errlen) < 0)
		return -1;
	snprintf(what, sizeof what, "network.layers[%d].bias", index);
	if (json_read_floats(member(json, "bias"), l->out, l->bias, what, err, errlen) < 0)
		return -1;
	const cJSON *prelu = member(json, "prelu");
	if (last && prelu)
		return error_set(err, errlen, "network.layers[%d].prelu: the last layer must not have a PReLU", index);
	if (last)
		return 0;
	if (!cJSON_IsNumber(prelu) || !isfinite(prelu->valuedouble))
		return error_set(err, errlen,
		                 "network.layers[%d].prelu must be a number (every layer but the last has one)", index);
	l->prelu = (float)prelu->valuedouble;
	return 0;
}

static int read_network(const cJSON *root, terrain *t, char *err, size_t errlen)
{
	const cJSON *net = member(root, "network");
	const cJSON *gauss = member(net, "gauss_scale");
	if (gauss && (!cJSON_IsNumber(gauss) || !isfinite(gauss->valuedouble)))
		return error_set(err, errlen, "network.gauss_scale must be a number");
	t->gauss_scale = gauss ? (float)gauss->valuedouble : 0.0f;
	if (t->n_features > 0 && json_read_matrix(member(net, "fourier"), t->control_dim, t->n_features, t->fourier,
	                                          "network.fourier", err, errlen) < 0)
		return -1;
	int i = 0;
	const cJSON *layer;
	cJSON_ArrayForEach(layer, member(net, "layers"))
	{
		if (read_layer(layer, &t->layers[i], i, i + 1 == t->n_layers, err, errlen) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int read_bounds(const cJSON *root, terrain *t, char *err, size_t errlen)
{
	const cJSON *bounds = member(root, "bounds");
	if (!cJSON_IsObject(bounds))
		return error_set(err, errlen, "'bounds' must be an object with 'min' and 'max' arrays");
	if (json_read_floats(member(bounds, "min"), t->control_dim, t->bounds_min, "bounds.min", err, errlen) < 0 ||
	    json_read_floats(member(bounds, "max"), t->control_dim, t->bounds_max, "bounds.max", err, errlen) < 0)
		return -1;
	for (int d = 0; d < t->control_dim; d++)
		if (!(t->bounds_min[d] < t->bounds_max[d]))
			return error_set(err, errlen, "bounds.min[%d] (%g) must be less than bounds.max[%d] (%g)", d,
			                 (double)t->bounds_min[d], d, (double)t->bounds_max[d]);
	return 0;
}

static int read_optional_int(const cJSON *obj, const char *key, int max, int *out, char *err, size_t errlen)
{
	if (!member(obj, key))
		return 0;
	return json_get_int(obj, key, 1, max, out, err, errlen);
}

/* "pitch": {"latent": k, "reference_hz": f, "per_octave": p}: latent k
 * is p * log2(f0 / f) at a pitch f0. */
static int read_pitch(const cJSON *m, terrain *t, char *err, size_t errlen)
{
	const cJSON *pitch = member(m, "pitch");
	if (!pitch)
		return 0;
	latent_pitch *p = &t->model.pitch;
	double hz = 0, per_octave = 0;
	char why[256] = "";
	if (!cJSON_IsObject(pitch) ||
	    json_get_int(pitch, "latent", 0, t->latent_dim - 1, &p->latent, why, sizeof why) < 0 ||
	    json_get_number(pitch, "reference_hz", &hz, why, sizeof why) < 0 ||
	    json_get_number(pitch, "per_octave", &per_octave, why, sizeof why) < 0)
		return error_set(
		    err, errlen,
		    "model.pitch must be {\"latent\": 0 to %d, \"reference_hz\": Hz, \"per_octave\": latent "
		    "units per octave}%s%s",
		    t->latent_dim - 1, why[0] ? ": " : "", why);
	if (!(hz > 0 && hz < 100000) || !(per_octave != 0 && fabs(per_octave) < 1000))
		return error_set(err, errlen, "model.pitch: reference_hz must be above 0 and per_octave not 0");
	p->reference_hz = (float)hz;
	p->per_octave = (float)per_octave;
	p->has = 1;
	return 0;
}

static int read_model(const cJSON *root, terrain *t, char *err, size_t errlen)
{
	const cJSON *m = member(root, "model");
	if (!m || cJSON_IsNull(m))
		return 0;
	if (!cJSON_IsObject(m))
		return error_set(err, errlen, "'model' must be an object");
	t->has_model = 1;
	const cJSON *id = member(m, "id");
	if (id && !cJSON_IsString(id))
		return error_set(err, errlen, "model.id must be a string");
	if (id && path_copy(t->model.id, sizeof t->model.id, id->valuestring, "model.id", err, errlen) < 0)
		return -1;
	char why[256];
	if (read_optional_int(m, "latent_dim", TERRAIN_MAX_LATENT_DIM, &t->model.latent_dim, why, sizeof why) < 0 ||
	    read_optional_int(m, "sample_rate", 384000, &t->model.sample_rate, why, sizeof why) < 0 ||
	    read_optional_int(m, "ratio", 1 << 20, &t->model.ratio, why, sizeof why) < 0)
		return error_set(err, errlen, "model: %s", why);
	if (t->model.latent_dim && t->model.latent_dim != t->latent_dim)
		return error_set(err, errlen, "model.latent_dim is %d but the terrain's latent_dim is %d",
		                 t->model.latent_dim, t->latent_dim);
	return read_pitch(m, t, err, errlen);
}

/* A label's name is shown in pictures and on the web page: printable
 * ASCII, so that every reader draws it the same way. */
static int read_label_name(const cJSON *json, int index, char *name, char *err, size_t errlen)
{
	const cJSON *n = member(json, "name");
	if (!cJSON_IsString(n) || !n->valuestring[0])
		return error_set(err, errlen, "labels[%d].name must be a non-empty string", index);
	size_t len = strlen(n->valuestring);
	if (len >= TERRAIN_LABEL_MAX)
		return error_set(err, errlen, "labels[%d].name is %zu bytes long, at most %d are allowed", index, len,
		                 TERRAIN_LABEL_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if (n->valuestring[i] < 0x20 || n->valuestring[i] > 0x7e)
			return error_set(err, errlen, "labels[%d].name must be printable ASCII (byte %zu is not)",
			                 index, i);
	memcpy(name, n->valuestring, len + 1);
	return 0;
}

static int read_label(const cJSON *json, terrain *t, int index, char *err, size_t errlen)
{
	terrain_label *l = &t->labels[index];
	char what[32];
	snprintf(what, sizeof what, "labels[%d].at", index);
	if (!cJSON_IsObject(json))
		return error_set(err, errlen, "labels[%d] must be an object with 'name' and 'at'", index);
	if (read_label_name(json, index, l->name, err, errlen) < 0 ||
	    json_read_floats(member(json, "at"), 2, l->at, what, err, errlen) < 0)
		return -1;
	for (int d = 0; d < 2 && d < t->control_dim; d++)
		if (l->at[d] < t->bounds_min[d] || l->at[d] > t->bounds_max[d])
			return error_set(err, errlen, "%s[%d] (%g) lies outside the bounds (%g to %g)", what, d,
			                 (double)l->at[d], (double)t->bounds_min[d], (double)t->bounds_max[d]);
	return 0;
}

static int read_labels(const cJSON *root, terrain *t, char *err, size_t errlen)
{
	const cJSON *labels = member(root, "labels");
	if (!labels)
		return 0;
	if (!cJSON_IsArray(labels))
		return error_set(err, errlen, "'labels' must be an array of {\"name\", \"at\": [x, y]} objects");
	int n = cJSON_GetArraySize(labels);
	if (n > TERRAIN_MAX_LABELS)
		return error_set(err, errlen, "'labels' has %d entries, at most %d are allowed", n, TERRAIN_MAX_LABELS);
	const cJSON *label;
	t->n_labels = 0;
	cJSON_ArrayForEach(label, labels)
	{
		if (read_label(label, t, t->n_labels, err, errlen) < 0)
			return -1;
		t->n_labels++;
	}
	return 0;
}

static int fill_terrain(const cJSON *root, terrain *t, char *err, size_t errlen)
{
	const cJSON *name = member(root, "name");
	if (name && !cJSON_IsString(name))
		return error_set(err, errlen, "'name' must be a string");
	if (name && path_copy(t->name, sizeof t->name, name->valuestring, "'name'", err, errlen) < 0)
		return -1;
	if (read_network(root, t, err, errlen) < 0 || read_bounds(root, t, err, errlen) < 0 ||
	    read_model(root, t, err, errlen) < 0 || read_labels(root, t, err, errlen) < 0)
		return -1;
	return terrain_finish(t, err, errlen);
}

int terrain_from_json(const char *text, const char *source, terrain **out, char *err, size_t errlen)
{
	*out = NULL;
	char why[512];
	terrain_shape shape;
	terrain *t = NULL;
	/* A node per weight: parsed in a scope, so the heap never holds them. */
	json_scope *scope = json_scope_open();
	cJSON *root = json_parse(text, why, sizeof why);
	int rc = -1;
	if (root && check_header(root, why, sizeof why) == 0 && read_shape(root, &shape, why, sizeof why) == 0 &&
	    terrain_create(&shape, &t, why, sizeof why) == 0 && fill_terrain(root, t, why, sizeof why) == 0)
		rc = 0;
	cJSON_Delete(root);
	json_scope_close(scope);
	if (rc < 0) {
		terrain_free(t);
		return error_set(err, errlen, "%s: %s", source, why);
	}
	*out = t;
	return 0;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A loader's message with the path it opened replaced by the name the
 * user knows ("/proc/self/fd/7" -> "terrains/live.json"). */
static int message_naming(const char *why, const char *open_path, const char *name, char *err, size_t errlen)
{
	const char *at = strstr(why, open_path);
	if (!at || open_path == name)
		return error_set(err, errlen, "%s", why);
	return error_set(err, errlen, "%.*s%s%s", (int)(at - why), why, name, at + strlen(open_path));
}

/* Reads `open_path`; `name` is the file as the user knows it (its suffix
 * says the format; messages use it). They differ for a descriptor opened
 * by confinement. */
static int load_named(const char *open_path, const char *name, terrain **out, char *err, size_t errlen)
{
	char why[1024];
	int rc;
	if (has_suffix(name, ".pt") || has_suffix(name, ".pth")) {
		rc = terrain_import_nn_terrain(open_path, -1.0f, 1.0f, out, why, sizeof why);
		if (rc == 0) /* played at the scale it was made for, as nn.terrain.gui plays it */
			terrain_set_nn_terrain_gui_bounds(*out);
	} else {
		/* The text, 1.7 MB for a rave_bench terrain, out of the heap with
		 * its tree: a swap then leaves no hole there for the next to miss. */
		json_scope *scope = json_scope_open();
		char *text;
		rc = json_read_file(open_path, TERRAIN_FILE_MAX_BYTES, &text, why, sizeof why);
		if (rc == 0) {
			rc = terrain_from_json(text, name, out, why, sizeof why);
			cJSON_free(text);
		}
		json_scope_close(scope);
	}
	return rc < 0 ? message_naming(why, open_path, name, err, errlen) : 0;
}

int terrain_load(const char *path, terrain **out, char *err, size_t errlen)
{
	return load_named(path, path, out, err, errlen);
}

int terrain_load_fd(int fd, const char *name, terrain **out, char *err, size_t errlen)
{
	char open_path[64];
	snprintf(open_path, sizeof open_path, "/proc/self/fd/%d", fd);
	return load_named(open_path, name, out, err, errlen);
}

static cJSON *matrix_json(const float *data, int rows, int cols)
{
	cJSON *m = cJSON_CreateArray();
	for (int r = 0; m && r < rows; r++)
		cJSON_AddItemToArray(m, json_float_array(data + (size_t)r * cols, cols));
	return m;
}

static cJSON *network_json(const terrain *t)
{
	cJSON *net = cJSON_CreateObject();
	cJSON_AddStringToObject(net, "type", "fourier-cppn");
	cJSON_AddItemToObject(net, "gauss_scale", json_float(t->gauss_scale));
	if (t->n_features > 0)
		cJSON_AddItemToObject(net, "fourier", matrix_json(t->fourier, t->control_dim, t->n_features));
	cJSON *layers = cJSON_AddArrayToObject(net, "layers");
	for (int i = 0; i < t->n_layers; i++) {
		const terrain_layer *l = &t->layers[i];
		cJSON *layer = cJSON_CreateObject();
		cJSON_AddItemToObject(layer, "weight", matrix_json(l->weight, l->out, l->in));
		cJSON_AddItemToObject(layer, "bias", json_float_array(l->bias, l->out));
		if (l->has_prelu)
			cJSON_AddItemToObject(layer, "prelu", json_float(l->prelu));
		cJSON_AddItemToArray(layers, layer);
	}
	return net;
}

static cJSON *model_json(const terrain_model_info *m)
{
	cJSON *obj = cJSON_CreateObject();
	if (m->id[0])
		cJSON_AddStringToObject(obj, "id", m->id);
	if (m->latent_dim)
		cJSON_AddNumberToObject(obj, "latent_dim", m->latent_dim);
	if (m->sample_rate)
		cJSON_AddNumberToObject(obj, "sample_rate", m->sample_rate);
	if (m->ratio)
		cJSON_AddNumberToObject(obj, "ratio", m->ratio);
	if (m->pitch.has) {
		cJSON *pitch = cJSON_AddObjectToObject(obj, "pitch");
		cJSON_AddNumberToObject(pitch, "latent", m->pitch.latent);
		cJSON_AddItemToObject(pitch, "reference_hz", json_float(m->pitch.reference_hz));
		cJSON_AddItemToObject(pitch, "per_octave", json_float(m->pitch.per_octave));
	}
	return obj;
}

static cJSON *labels_json(const terrain *t)
{
	cJSON *labels = cJSON_CreateArray();
	for (int i = 0; labels && i < t->n_labels; i++) {
		cJSON *label = cJSON_CreateObject();
		cJSON_AddStringToObject(label, "name", t->labels[i].name);
		cJSON_AddItemToObject(label, "at", json_float_array(t->labels[i].at, 2));
		cJSON_AddItemToArray(labels, label);
	}
	return labels;
}

char *terrain_to_json(const terrain *t)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	cJSON_AddStringToObject(root, "format", "terraind-terrain");
	cJSON_AddNumberToObject(root, "version", TERRAIN_FORMAT_VERSION);
	cJSON_AddStringToObject(root, "name", t->name);
	cJSON_AddNumberToObject(root, "control_dim", t->control_dim);
	cJSON_AddNumberToObject(root, "latent_dim", t->latent_dim);
	cJSON *bounds = cJSON_AddObjectToObject(root, "bounds");
	cJSON_AddItemToObject(bounds, "min", json_float_array(t->bounds_min, t->control_dim));
	cJSON_AddItemToObject(bounds, "max", json_float_array(t->bounds_max, t->control_dim));
	if (t->has_model)
		cJSON_AddItemToObject(root, "model", model_json(&t->model));
	if (t->n_labels > 0)
		cJSON_AddItemToObject(root, "labels", labels_json(t));
	cJSON_AddItemToObject(root, "network", network_json(t));
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}

int terrain_save_at(const terrain *t, int dirfd, const char *name, int overwrite, char *err, size_t errlen)
{
	/* The tree and its text, a node and a string per weight, in a scope:
	 * saving a retrained terrain leaves the heap as it was. */
	json_scope *scope = json_scope_open();
	char *text = terrain_to_json(t);
	int rc = text ? atomic_file_write_at(dirfd, name, text, overwrite, err, errlen)
	              : error_set(err, errlen, "out of memory writing %s", name);
	cJSON_free(text);
	json_scope_close(scope);
	return rc;
}

int terrain_save(const terrain *t, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	if (path_format(dir, sizeof dir, "the directory", err, errlen, "%.*s",
	                slash ? (slash == path ? 1 : (int)(slash - path)) : 1, slash ? path : ".") < 0)
		return -1;
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return error_set(err, errlen, "cannot write %s: %s: %s", path, dir, strerror(errno));
	char why[512];
	int rc = terrain_save_at(t, dirfd, slash ? slash + 1 : path, 1, why, sizeof why);
	close(dirfd);
	return rc < 0 ? error_set(err, errlen, "%s", why) : 0;
}

/* ---- nn_terrain import ------------------------------------------------ */

static int read_scalar(tb_module *mod, const char *name, float *value, char *err, size_t errlen)
{
	int64_t shape[TB_MAX_DIMS];
	int ndim;
	int64_t n = tb_get_tensor(mod, name, value, 1, shape, &ndim, err, errlen);
	if (n < 0)
		return -1;
	if (n != 1)
		return error_set(err, errlen, "'%s' should hold one number, it holds %lld", name, (long long)n);
	return 0;
}

/* Reads tensor `name` into dst, checking it is rows × cols (cols 0: a vector). */
static int read_checked(tb_module *mod, const char *name, float *dst, int rows, int cols, char *err, size_t errlen)
{
	int64_t shape[TB_MAX_DIMS];
	int ndim;
	int64_t want = (int64_t)rows * (cols ? cols : 1);
	int64_t n = tb_get_tensor(mod, name, dst, want, shape, &ndim, err, errlen);
	if (n < 0)
		return -1;
	int ok = cols ? (ndim == 2 && shape[0] == rows && shape[1] == cols) : (ndim == 1 && shape[0] == rows);
	if (!ok)
		return error_set(err, errlen, "'%s' has %lld values in %d dimensions, expected %d×%d", name,
		                 (long long)n, ndim, rows, cols ? cols : 1);
	return 0;
}

typedef struct nn_terrain_dims {
	int in_dim, out_dim, cmax, features;
	float gauss_scale;
} nn_terrain_dims;

static int read_dim(tb_module *mod, const char *name, int max, int *out, char *err, size_t errlen)
{
	float v;
	if (read_scalar(mod, name, &v, err, errlen) < 0)
		return -1;
	if (!(v >= 0 && v <= max && v == floorf(v)))
		return error_set(err, errlen, "'%s' is %g, expected a whole number from 0 to %d", name, (double)v, max);
	*out = (int)v;
	return 0;
}

static int read_nn_terrain_dims(tb_module *mod, nn_terrain_dims *d, char *err, size_t errlen)
{
	if (read_dim(mod, "m_in_dim", TERRAIN_MAX_CONTROL_DIM, &d->in_dim, err, errlen) < 0 ||
	    read_dim(mod, "m_out_dim", TERRAIN_MAX_LATENT_DIM, &d->out_dim, err, errlen) < 0 ||
	    read_dim(mod, "m_cmax", TERRAIN_MAX_WIDTH, &d->cmax, err, errlen) < 0 ||
	    read_scalar(mod, "m_gauss_scale", &d->gauss_scale, err, errlen) < 0)
		return -1;
	d->features = 0;
	if (d->gauss_scale > 0 && read_dim(mod, "m_mapping_size", TERRAIN_MAX_WIDTH / 2, &d->features, err, errlen) < 0)
		return -1;
	return 0;
}

static int read_nn_terrain_layers(tb_module *mod, terrain *t, char *err, size_t errlen)
{
	static const char *const linear[] = {NULL, "fc2", "fc3", "fc4", "fc_out"};
	char w[64], b[64], p[64];
	for (int i = 0; i < t->n_layers; i++) {
		const char *name = i ? linear[i] : (t->n_features ? "fc_in_gau" : "fc_in_linear");
		terrain_layer *l = &t->layers[i];
		snprintf(w, sizeof w, "%s.weight", name);
		snprintf(b, sizeof b, "%s.bias", name);
		if (read_checked(mod, w, l->weight, l->out, l->in, err, errlen) < 0 ||
		    read_checked(mod, b, l->bias, l->out, 0, err, errlen) < 0)
			return -1;
		snprintf(p, sizeof p, "prelu%d.weight", i + 1);
		if (l->has_prelu && read_checked(mod, p, &l->prelu, 1, 0, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int build_from_checkpoint(tb_module *mod, terrain **out, char *err, size_t errlen)
{
	nn_terrain_dims d;
	if (read_nn_terrain_dims(mod, &d, err, errlen) < 0)
		return -1;
	terrain_shape shape = {
	    .control_dim = d.in_dim, .latent_dim = d.out_dim, .n_features = d.features, .n_layers = 5};
	for (int i = 0; i < 4; i++)
		shape.widths[i] = d.cmax;
	shape.widths[4] = d.out_dim;
	terrain *t;
	if (terrain_create(&shape, &t, err, errlen) < 0)
		return -1;
	t->gauss_scale = d.gauss_scale;
	int rc = 0;
	if (d.features > 0)
		rc = read_checked(mod, "B_T", t->fourier, d.in_dim, d.features, err, errlen);
	if (rc == 0)
		rc = read_nn_terrain_layers(mod, t, err, errlen);
	return terrain_adopt(t, rc, out, err, errlen);
}

int terrain_import_nn_terrain(const char *path, float bounds_min, float bounds_max, terrain **out, char *err,
                              size_t errlen)
{
	*out = NULL;
	if (!(bounds_min < bounds_max))
		return error_set(err, errlen, "bounds: min %g must be less than max %g", (double)bounds_min,
		                 (double)bounds_max);
	char name[TERRAIN_NAME_MAX]; /* the file name without directory and extension */
	if (path_stem(path, name, sizeof name, "the checkpoint's file name", err, errlen) < 0)
		return -1;
	tb_module *mod;
	char why[768];
	if (tb_load(path, &mod, why, sizeof why) < 0)
		return error_set(err, errlen, "%s: not an nn_terrain checkpoint: %s", path, why);
	int rc = build_from_checkpoint(mod, out, why, sizeof why);
	tb_free(mod);
	if (rc < 0)
		return error_set(err, errlen, "%s: not a usable nn_terrain checkpoint: %s", path, why);
	memcpy((*out)->name, name, sizeof name);
	for (int d = 0; d < (*out)->control_dim; d++) {
		(*out)->bounds_min[d] = bounds_min;
		(*out)->bounds_max[d] = bounds_max;
	}
	return 0;
}

void terrain_set_nn_terrain_gui_bounds(terrain *t)
{
	static const float gui_half_range[2] = {16.0f, 4.0f};
	for (int d = 0; d < t->control_dim && d < 2; d++) {
		t->bounds_min[d] = -gui_half_range[d];
		t->bounds_max[d] = gui_half_range[d];
	}
}
