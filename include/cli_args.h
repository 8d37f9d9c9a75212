/*
 * cli_args — the one parser for the numbers given to command-line options,
 * shared by every subcommand, and the shared shape of their usage errors.
 *
 * A value is taken whole or refused: empty text, leading blanks, trailing
 * garbage ("12abc"), NaN, infinities and values outside [min, max] fail with
 * a sentence naming the option, the accepted range and what was given
 * ("--smooth takes a number from 0 to 10000, not 'abc'"). atoi and strtof
 * would have read those as 0 or as a truncated prefix.
 *
 * Threads: the CLI's main thread (the usage helpers print).
 */
#ifndef TERRAIND_CLI_ARGS_H
#define TERRAIND_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A whole number in [min, max] (decimal). */
int cli_int(const char *option, const char *text, int min, int max, int *out, char *err, size_t errlen);
/* A finite number in [min, max] (strtod's syntax: 1, -0.5, 1e-3). */
int cli_double(const char *option, const char *text, double min, double max, double *out, char *err, size_t errlen);
/* The same, stored as a float (min and max must be representable). */
int cli_float(const char *option, const char *text, float min, float max, float *out, char *err, size_t errlen);
/* A random seed: any whole number from 0 to 2^64 - 1. */
int cli_seed(const char *option, const char *text, uint64_t *out, char *err, size_t errlen);
/* Exactly n comma-separated whole numbers ("0,1,2"), each in [min, max]. */
int cli_int_list(const char *option, const char *text, int n, int min, int max, int *out, char *err, size_t errlen);
/* Exactly n comma-separated finite numbers ("-1,1"), each in [min, max]. */
int cli_float_list(const char *option, const char *text, int n, float min, float max, float *out, char *err,
                   size_t errlen);

/* Checks the operands left after the options (argv[first..argc-1]): at
 * least min and at most max of them (max < 0: no limit). Fills `why` with
 * "missing <what>" or "unexpected argument '<arg>'". */
int cli_operands(int argc, char **argv, int first, int min, int max, const char *what, char *why, size_t whylen);

/* What a subcommand's option parser returns. */
enum { CLI_OK = 0, CLI_HELP = 1, CLI_BAD = -1 };

/* Ends a subcommand after parsing: --help prints `usage` to stdout and
 * gives EXIT_OK; a bad command line prints "terraind: <why>" (when `why` is
 * not empty) and `usage` to stderr and gives EXIT_USAGE. */
int cli_finish(int parsed, const char *why, const char *usage);

#endif
