/*
 * cli_args.c — see cli_args.h.
 */
#include "cli_args.h"

#include "commands.h"
#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* strtol/strtod skip leading blanks and take a prefix; a value must be the
 * whole text, with no blank in front. */
static int starts_a_number(const char *text)
{
	return text[0] != '\0' && !isspace((unsigned char)text[0]);
}

int cli_int(const char *option, const char *text, int min, int max, int *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	long v = starts_a_number(text) ? strtol(text, &end, 10) : 0;
	if (!starts_a_number(text) || *end != '\0' || errno == ERANGE || v < min || v > max)
		return error_set(err, errlen, "%s takes a whole number from %d to %d, not '%.40s'", option, min, max,
		                 text);
	*out = (int)v;
	return 0;
}

int cli_double(const char *option, const char *text, double min, double max, double *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double v = starts_a_number(text) ? strtod(text, &end) : 0;
	/* The range check refuses NaN (every comparison with it is false) and
	 * the infinities (min and max are finite). */
	if (!starts_a_number(text) || *end != '\0' || errno == ERANGE || !(v >= min && v <= max))
		return error_set(err, errlen, "%s takes a number from %g to %g, not '%.40s'", option, min, max, text);
	*out = v;
	return 0;
}

int cli_float(const char *option, const char *text, float min, float max, float *out, char *err, size_t errlen)
{
	double v;
	if (cli_double(option, text, min, max, &v, err, errlen) < 0)
		return -1;
	*out = (float)v;
	return 0;
}

int cli_seed(const char *option, const char *text, uint64_t *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	/* strtoull would wrap "-1" around to 2^64 - 1: digits only. */
	unsigned long long v = isdigit((unsigned char)text[0]) ? strtoull(text, &end, 10) : 0;
	if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno == ERANGE)
		return error_set(err, errlen, "%s takes a whole number from 0 to %" PRIu64 ", not '%.40s'", option,
		                 UINT64_MAX, text);
	*out = (uint64_t)v;
	return 0;
}

enum { ITEM_MAX = 64 };

/* Splits "a,b,c" into exactly n items of at most ITEM_MAX - 1 characters;
 * calls parse_item on each. */
static int parse_list(const char *option, const char *text, int n, const char *what,
                      int (*parse_item)(const char *item, int index, void *ctx, char *err, size_t errlen), void *ctx,
                      char *err, size_t errlen)
{
	const char *p = text;
	for (int i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");
		int last = i == n - 1;
		if (len >= ITEM_MAX || (last ? p[len] != '\0' : p[len] != ','))
			return error_set(err, errlen, "%s takes %d %s separated by commas, not '%.60s'", option, n,
			                 what, text);
		char item[ITEM_MAX];
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_item(item, i, ctx, err, errlen) < 0)
			return -1;
		p += len + 1;
	}
	return 0;
}

typedef struct int_list {
	const char *option;
	int min, max, *out;
} int_list;

static int parse_int_item(const char *item, int index, void *ctx, char *err, size_t errlen)
{
	int_list *l = ctx;
	return cli_int(l->option, item, l->min, l->max, &l->out[index], err, errlen);
}

int cli_int_list(const char *option, const char *text, int n, int min, int max, int *out, char *err, size_t errlen)
{
	int_list l = {option, min, max, out};
	return parse_list(option, text, n, "whole numbers", parse_int_item, &l, err, errlen);
}

typedef struct float_list {
	const char *option;
	float min, max, *out;
} float_list;

static int parse_float_item(const char *item, int index, void *ctx, char *err, size_t errlen)
{
	float_list *l = ctx;
	return cli_float(l->option, item, l->min, l->max, &l->out[index], err, errlen);
}

int cli_float_list(const char *option, const char *text, int n, float min, float max, float *out, char *err,
                   size_t errlen)
{
	float_list l = {option, min, max, out};
	return parse_list(option, text, n, "numbers", parse_float_item, &l, err, errlen);
}

int cli_operands(int argc, char **argv, int first, int min, int max, const char *what, char *why, size_t whylen)
{
	int n = argc - first;
	if (n < min)
		return error_set(why, whylen, "missing %s", what);
	if (max >= 0 && n > max)
		return error_set(why, whylen, "unexpected argument '%.200s'", argv[first + max]);
	return 0;
}

int cli_finish(int parsed, const char *why, const char *usage)
{
	if (parsed == CLI_HELP) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (why && why[0])
		fprintf(stderr, "terraind: %s\n", why);
	fputs(usage, stderr);
	return EXIT_USAGE;
}
