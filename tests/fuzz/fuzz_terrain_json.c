/* libFuzzer target: the terrain file loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terrain_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	terrain *t;
	char err[512];
	if (terrain_from_json(text, "fuzz", &t, err, sizeof err) == 0) {
		float scratch[2 * 4096 + 16], z[1024], xy[8] = {0};
		if (terrain_scratch_floats(t) <= sizeof scratch / sizeof scratch[0])
			terrain_eval(t, xy, z, scratch);
		terrain_free(t);
	}
	free(text);
	return 0;
}
