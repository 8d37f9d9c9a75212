/* libFuzzer target: the gesture loader and playback lookup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gesture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	gesture *g;
	char err[512];
	if (gesture_from_json(text, "fuzz", &g, err, sizeof err) == 0) {
		float coord[GESTURE_MAX_DIM];
		size_t hint = 0;
		for (double t = -1; t < gesture_duration(g) + 1; t += 0.25 + gesture_duration(g) / 8)
			gesture_position(g, t, &hint, coord);
		gesture_free(g);
	}
	free(text);
	return 0;
}
