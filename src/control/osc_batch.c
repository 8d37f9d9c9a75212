/*
 * osc_batch.c — bursts of packets read at once: a cursor message followed
 * later in the burst by another to the same address from the same sender
 * is skipped (only the newest position matters), so that a flood costs
 * parsing, not dispatching.
 */
#include "osc_internal.h"

#include <string.h>

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static int is_cursor_address(osc_context *o, const char *address)
{
	if (strcmp(address, "/xy") == 0 || strcmp(address, "/stylus") == 0)
		return 1;
	if (strncmp(address, "/voice/", strlen("/voice/")) == 0)
		return ends_with(address, "/xy") || ends_with(address, "/stylus");
	pthread_mutex_lock(&o->lock);
	const config_mapping *m = config_find_mapping(&o->config, address);
	int cursor = m && m->to <= MAP_PRESSURE;
	pthread_mutex_unlock(&o->lock);
	return cursor;
}

static uint64_t packet_key(const osc_packet *p, size_t address_len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a over address and sender */
	const unsigned char *a = p->data;
	for (size_t i = 0; i < address_len; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	const unsigned char *peer = (const unsigned char *)&p->peer.addr;
	for (socklen_t i = 0; i < p->peer.len && i < sizeof p->peer.addr; i++)
		h = (h ^ peer[i]) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

enum { BATCH_TABLE = 1024 }; /* open addressing; more than twice the largest burst */

void osc_handle_batch(osc_context *o, const osc_packet *packets, int n)
{
	uint64_t seen[BATCH_TABLE] = {0};
	unsigned char skip[BATCH_TABLE / 2] = {0};
	if (n > BATCH_TABLE / 2)
		n = BATCH_TABLE / 2;
	/* Newest first: the first time an address is seen it is the latest. */
	for (int i = n - 1; i >= 0; i--) {
		const osc_packet *p = &packets[i];
		const char *data = p->data;
		size_t len = p->size ? strnlen(data, p->size) : 0;
		if (len == 0 || len == p->size || data[0] != '/' || !is_cursor_address(o, data))
			continue;
		uint64_t key = packet_key(p, len);
		size_t slot = key % BATCH_TABLE;
		while (seen[slot] && seen[slot] != key)
			slot = (slot + 1) % BATCH_TABLE;
		if (seen[slot] == key)
			skip[i] = 1; /* (a 64-bit hash: a collision between distinct addresses is negligible) */
		seen[slot] = key;
	}
	for (int i = 0; i < n; i++) {
		if (skip[i])
			atomic_fetch_add(&o->coalesced, 1);
		else
			osc_handle_packet(o, packets[i].data, packets[i].size, &packets[i].peer);
	}
}
