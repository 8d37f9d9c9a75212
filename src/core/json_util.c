/*
 * json_util.c — checked access to cJSON trees. cJSON itself accepts any
 * shape; these helpers turn "wrong shape" into a sentence.
 */
#include "json_util.h"

#include "error.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A first buffer for a file: its size when it tells (a regular file), else
 * 64 KiB; never more than max_bytes + 1 (one byte over tells "too large"). */
static size_t first_capacity(FILE *f, size_t max_bytes)
{
	struct stat st;
	size_t guess = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 64 * 1024;
	return guess < max_bytes + 1 ? guess : max_bytes + 1;
}

/* A buffer of `size` bytes through cJSON's allocator, holding the first n
 * bytes of *buf (which it releases): cJSON's hooks offer no realloc. */
static char *grow(char *buf, size_t n, size_t size)
{
	char *grown = cJSON_malloc(size);
	if (grown && n)
		memcpy(grown, buf, n);
	cJSON_free(buf);
	return grown;
}

/* Reads f whole into *buf (grown as needed, up to max_bytes + 1); the
 * count read, or -1 when out of memory. */
static ssize_t read_growing(FILE *f, size_t max_bytes, char **buf)
{
	size_t capacity = first_capacity(f, max_bytes), n = 0;
	*buf = NULL;
	for (;;) {
		if (!(*buf = grow(*buf, n, capacity + 1)))
			return -1;
		n += fread(*buf + n, 1, capacity - n, f);
		if (n < capacity || capacity == max_bytes + 1 || ferror(f))
			return (ssize_t)n;
		capacity = capacity > (max_bytes + 1) / 2 ? max_bytes + 1 : 2 * capacity;
	}
}

int json_read_file(const char *path, size_t max_bytes, char **text, char *err, size_t errlen)
{
	*text = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return error_set(err, errlen, "cannot open %s: %s", path, strerror(errno));
	char *buf;
	ssize_t got = read_growing(f, max_bytes, &buf);
	int read_error = ferror(f);
	fclose(f);
	int rc = got < 0                   ? error_set(err, errlen, "out of memory reading %s", path)
	         : read_error              ? error_set(err, errlen, "cannot read %s", path)
	         : (size_t)got > max_bytes ? error_set(err, errlen, "%s is larger than %zu bytes", path, max_bytes)
	         : memchr(buf, '\0', (size_t)got)
	             ? error_set(err, errlen, "%s is not a text file (it contains NUL bytes)", path)
	             : 0;
	if (rc < 0) {
		cJSON_free(buf);
		return rc;
	}
	buf[got] = '\0';
	*text = buf;
	return 0;
}

cJSON *json_parse(const char *text, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	if (root)
		return root;
	const char *at = end ? end : cJSON_GetErrorPtr();
	int line = 1, col = 1;
	for (const char *p = text; at && p < at && *p; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	error_set(err, errlen, "invalid JSON at line %d, column %d", line, col);
	return NULL;
}

int json_get_int(const cJSON *obj, const char *key, int min, int max, int *out, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return error_set(err, errlen, "'%s' is missing", key);
	double v = item->valuedouble;
	if (!cJSON_IsNumber(item) || v != floor(v))
		return error_set(err, errlen, "'%s' must be an integer", key);
	if (v < min || v > max)
		return error_set(err, errlen, "'%s' is %g, expected %d to %d", key, v, min, max);
	*out = (int)v;
	return 0;
}

int json_get_number(const cJSON *obj, const char *key, double *out, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return error_set(err, errlen, "'%s' is missing", key);
	if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
		return error_set(err, errlen, "'%s' must be a finite number", key);
	*out = item->valuedouble;
	return 0;
}

int json_get_string(const cJSON *obj, const char *key, const char **out, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return error_set(err, errlen, "'%s' is missing", key);
	if (!cJSON_IsString(item))
		return error_set(err, errlen, "'%s' must be a string", key);
	*out = item->valuestring;
	return 0;
}

int json_read_floats(const cJSON *arr, int n, float *dst, const char *what, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr))
		return error_set(err, errlen, "%s must be an array of %d numbers", what, n);
	int size = cJSON_GetArraySize(arr);
	if (size != n)
		return error_set(err, errlen, "%s has %d values, expected %d", what, size, n);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || fabs(item->valuedouble) > 3.4e38)
			return error_set(err, errlen, "%s[%d] must be a finite number", what, i);
		dst[i++] = (float)item->valuedouble;
	}
	return 0;
}

int json_read_matrix(const cJSON *arr, int rows, int cols, float *dst, const char *what, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr))
		return error_set(err, errlen, "%s must be an array of %d rows", what, rows);
	int size = cJSON_GetArraySize(arr);
	if (size != rows)
		return error_set(err, errlen, "%s has %d rows, expected %d", what, size, rows);
	int r = 0;
	const cJSON *row;
	cJSON_ArrayForEach(row, arr)
	{
		char name[160];
		snprintf(name, sizeof name, "%s[%d]", what, r);
		if (cJSON_IsArray(row) && cJSON_GetArraySize(row) != cols)
			return error_set(err, errlen, "%s has %d columns, expected %d", name, cJSON_GetArraySize(row),
			                 cols);
		if (json_read_floats(row, cols, dst + (size_t)r * cols, name, err, errlen) < 0)
			return -1;
		r++;
	}
	return 0;
}

cJSON *json_float(float value)
{
	char text[32];
	snprintf(text, sizeof text, "%.9g", (double)value);
	return cJSON_CreateRaw(text);
}

cJSON *json_float_array(const float *values, int n)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, json_float(values[i]));
	return arr;
}

int json_check_keys(const cJSON *obj, const char *const *known, const char *section, char *err, size_t errlen)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		int found = 0;
		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(item->string, *k) == 0;
		if (!found)
			return error_set(err, errlen, "unknown key '%s%s%s'", section, *section ? "." : "",
			                 item->string);
	}
	return 0;
}

int json_opt_string(const cJSON *obj, const char *key, char *dst, size_t len, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return 0;
	if (!cJSON_IsString(item) || strlen(item->valuestring) >= len)
		return error_set(err, errlen, "'%s' must be a string of fewer than %zu characters", key, len);
	snprintf(dst, len, "%s", item->valuestring);
	return 0;
}

int json_opt_int(const cJSON *obj, const char *key, int min, int max, int *dst, char *err, size_t errlen)
{
	if (!cJSON_GetObjectItemCaseSensitive(obj, key))
		return 0;
	return json_get_int(obj, key, min, max, dst, err, errlen);
}

int json_opt_float(const cJSON *obj, const char *key, float min, float max, float *dst, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return 0;
	if (!cJSON_IsNumber(item) || !(item->valuedouble >= min && item->valuedouble <= max))
		return error_set(err, errlen, "'%s' must be a number from %g to %g", key, (double)min, (double)max);
	*dst = (float)item->valuedouble;
	return 0;
}

int json_opt_bool(const cJSON *obj, const char *key, int *dst, char *err, size_t errlen)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return 0;
	if (!cJSON_IsBool(item))
		return error_set(err, errlen, "'%s' must be true or false", key);
	*dst = cJSON_IsTrue(item);
	return 0;
}

int json_opt_strings(const cJSON *obj, const char *key, const char *what, int max, size_t width, char *rows, int *n,
                     char *err, size_t errlen)
{
	const cJSON *array = cJSON_GetObjectItemCaseSensitive(obj, key), *item;
	if (!array)
		return 0;
	if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) > max)
		return error_set(err, errlen, "'%s' must be an array of at most %d %s", key, max, what);
	int count = 0;
	cJSON_ArrayForEach(item, array)
	{
		if (!cJSON_IsString(item) || !*item->valuestring || strlen(item->valuestring) >= width)
			return error_set(err, errlen, "%s[%d] must be a non-empty string of fewer than %zu characters",
			                 key, count, width);
		snprintf(rows + (size_t)count++ * width, width, "%s", item->valuestring);
	}
	*n = count;
	return 0;
}
