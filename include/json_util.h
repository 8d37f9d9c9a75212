/*
 * json_util — small checked readers on top of cJSON, shared by the terrain,
 * gesture and config loaders, so that every loader words its errors the
 * same way: "<key> must be ...".
 *
 * Threads: any non-RT thread (they allocate).
 */
#ifndef TERRAIND_JSON_UTIL_H
#define TERRAIND_JSON_UTIL_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Reads a whole file (at most max_bytes) into a NUL-terminated buffer the
 * caller releases with cJSON_free: it comes from cJSON's allocator, so that
 * inside a json_scope the text stays out of the heap with its tree. */
int json_read_file(const char *path, size_t max_bytes, char **text, char *err, size_t errlen);

/* Parses text; on a syntax error names the line and column. */
cJSON *json_parse(const char *text, char *err, size_t errlen);

/* An integer member in [min, max]. */
int json_get_int(const cJSON *obj, const char *key, int min, int max, int *out, char *err, size_t errlen);
/* A finite number member. */
int json_get_number(const cJSON *obj, const char *key, double *out, char *err, size_t errlen);
/* A string member (pointer into the cJSON tree). */
int json_get_string(const cJSON *obj, const char *key, const char **out, char *err, size_t errlen);

/* Array of exactly n finite numbers, into floats. `what` names it in errors. */
int json_read_floats(const cJSON *arr, int n, float *dst, const char *what, char *err, size_t errlen);
/* Array of `rows` arrays of `cols` finite numbers (row-major into dst). */
int json_read_matrix(const cJSON *arr, int rows, int cols, float *dst, const char *what, char *err, size_t errlen);

/* A number rendered with 9 significant digits (exact for a float) as a raw
 * cJSON node: shorter files than cJSON's 17 digits, same values back. */
cJSON *json_float(float value);
cJSON *json_float_array(const float *values, int n);

/* Optional members: a missing key leaves *dst as it is (a default); a
 * present one must have the right type (and range). */
int json_opt_string(const cJSON *obj, const char *key, char *dst, size_t len, char *err, size_t errlen);
int json_opt_int(const cJSON *obj, const char *key, int min, int max, int *dst, char *err, size_t errlen);
int json_opt_float(const cJSON *obj, const char *key, float min, float max, float *dst, char *err, size_t errlen);
int json_opt_bool(const cJSON *obj, const char *key, int *dst, char *err, size_t errlen);
/* An array of at most `max` non-empty strings, each shorter than `width`,
 * into rows[max][width] and their count into *n (`what` names them in
 * errors: "port names"). */
int json_opt_strings(const cJSON *obj, const char *key, const char *what, int max, size_t width, char *rows, int *n,
                     char *err, size_t errlen);
/* Refuses any member of `obj` not listed in `known` (NULL-terminated),
 * naming it as `section`.key: strict files, where a typo is an error and
 * never a silent default. */
int json_check_keys(const cJSON *obj, const char *const *known, const char *section, char *err, size_t errlen);

#endif
