/* libFuzzer target: the configuration loader and its path confinement. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	config c;
	char err[512];
	config_defaults(&c);
	if (config_parse(&c, text, "fuzz", err, sizeof err) == 0) {
		config_validate(&c, err, sizeof err);
		config_find_mapping(&c, "/1/xy1");
	}
	free(text);
	return 0;
}
