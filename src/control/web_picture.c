/*
 * web_picture.c — the web surface's terrain picture, cached per terrain
 * version and channels (see web_picture.h).
 */
#include "web_picture.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plot.h"

void web_picture_init(web_picture *p)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
}

void web_picture_destroy(web_picture *p)
{
	terrain_free(p->terrain);
	free(p->rgb);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof *p);
}

void web_picture_set_terrain(web_picture *p, terrain *t)
{
	t->refs++; /* on this thread, as every reference is taken */
	pthread_mutex_lock(&p->lock);
	terrain *old = p->terrain;
	p->terrain = t;
	p->version++;
	pthread_mutex_unlock(&p->lock);
	terrain_free(old);
}

uint64_t web_picture_version(web_picture *p)
{
	pthread_mutex_lock(&p->lock);
	uint64_t v = p->version;
	pthread_mutex_unlock(&p->lock);
	return v;
}

static int same_channels(const int a[3], const int b[3])
{
	return a[0] == b[0] && (a[1] < 0 ? b[1] < 0 : a[1] == b[1] && a[2] == b[2]);
}

static void describe(const terrain *t, uint64_t version, web_picture_info *info)
{
	*info = (web_picture_info){.version = version, .control_dim = t->control_dim, .latent_dim = t->latent_dim};
	memcpy(info->bounds_min, t->bounds_min, sizeof info->bounds_min);
	memcpy(info->bounds_max, t->bounds_max, sizeof info->bounds_max);
	info->n_labels = t->n_labels;
	memcpy(info->labels, t->labels, sizeof(terrain_label) * (size_t)t->n_labels);
}

int web_picture_get(web_picture *p, const int channels[3], const unsigned char **rgb, web_picture_info *info, char *err,
                    size_t errlen)
{
	pthread_mutex_lock(&p->lock);
	int rc = 0;
	if (!p->terrain)
		rc = error_set(err, errlen, "no terrain is playing yet");
	else if (!p->rgb || p->cached_version != p->version || !same_channels(p->cached_channels, channels)) {
		if (!p->rgb)
			p->rgb = malloc((size_t)WEB_PICTURE_SIZE * WEB_PICTURE_SIZE * 3);
		plot_options o = {.width = WEB_PICTURE_SIZE,
		                  .height = WEB_PICTURE_SIZE,
		                  .channels = {channels[0], channels[1], channels[2]},
		                  .preview = 1}; /* for a screen: bfloat16 where the CPU has it, twice as fast */
		if (!p->rgb)
			rc = error_set(err, errlen, "out of memory for the terrain's picture");
		else if ((rc = plot_terrain(p->terrain, &o, p->rgb, err, errlen)) == 0) {
			p->cached_version = p->version;
			memcpy(p->cached_channels, channels, sizeof p->cached_channels);
		} else
			p->cached_version = 0; /* the buffer holds a half-drawn picture */
	}
	if (rc == 0)
		describe(p->terrain, p->version, info);
	pthread_mutex_unlock(&p->lock);
	*rgb = rc == 0 ? p->rgb : NULL;
	return rc;
}
