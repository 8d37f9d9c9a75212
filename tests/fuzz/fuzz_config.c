/* libFuzzer target: the configuration loader and its path confinement.
 * Input: the configuration's text, a NUL byte, then a path to confine under
 * the allowed directories it declares (or the default ones), as a file to
 * read and as one to write. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "confine.h"

static void confine_path(const config *c, const char *path)
{
	confine_dirs allowed = config_allowed(c);
	char resolved[CONFIG_PATH_MAX], err[512];
	const char *name;
	int fd = confine_open(&allowed, path, resolved, sizeof resolved, err, sizeof err);
	if (fd >= 0)
		close(fd);
	fd = confine_open_dir(&allowed, path, &name, resolved, sizeof resolved, err, sizeof err);
	if (fd >= 0)
		close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t json_len = strlen(text);
	const char *path = json_len < size ? text + json_len + 1 : "demo.ts";
	config c;
	char err[512];
	config_defaults(&c);
	if (config_parse(&c, text, "fuzz", err, sizeof err) == 0) {
		config_validate(&c, err, sizeof err);
		config_find_mapping(&c, "/1/xy1");
	} else {
		config_defaults(&c);
	}
	confine_path(&c, path);
	free(text);
	return 0;
}
