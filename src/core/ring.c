/*
 * ring.c — see ring.h. head and tail count elements forever (they wrap at
 * SIZE_MAX, which a power-of-two capacity divides), so full and empty are
 * told apart without a wasted slot: readable = head - tail.
 */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

ring *ring_create(size_t capacity, size_t elem_size)
{
	if (capacity == 0 || elem_size == 0 || capacity > ((size_t)1 << 40))
		return NULL;
	size_t cap = 1;
	while (cap < capacity)
		cap <<= 1;
	ring *r = aligned_alloc(64, (sizeof(ring) + 63) / 64 * 64);
	if (!r)
		return NULL;
	memset(r, 0, sizeof *r);
	r->data = calloc(cap, elem_size);
	if (!r->data) {
		free(r);
		return NULL;
	}
	r->capacity = cap;
	r->mask = cap - 1;
	r->elem_size = elem_size;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	return r;
}

void ring_free(ring *r)
{
	if (!r)
		return;
	free(r->data);
	free(r);
}

size_t ring_writable(const ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	return r->capacity - (head - tail);
}

size_t ring_readable(const ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	return head - tail;
}

/* Copies n elements between the ring (starting at slot index pos) and a
 * linear buffer, in at most two pieces. */
static void copy_in(ring *r, size_t pos, const unsigned char *src, size_t n)
{
	size_t start = pos & r->mask;
	size_t first = r->capacity - start < n ? r->capacity - start : n;
	memcpy(r->data + start * r->elem_size, src, first * r->elem_size);
	memcpy(r->data, src + first * r->elem_size, (n - first) * r->elem_size);
}

static void copy_out(const ring *r, size_t pos, unsigned char *dst, size_t n)
{
	size_t start = pos & r->mask;
	size_t first = r->capacity - start < n ? r->capacity - start : n;
	memcpy(dst, r->data + start * r->elem_size, first * r->elem_size);
	memcpy(dst + first * r->elem_size, r->data, (n - first) * r->elem_size);
}

size_t ring_write(ring *r, const void *src, size_t n)
{
	size_t free_slots = ring_writable(r);
	if (n > free_slots)
		n = free_slots;
	if (n == 0)
		return 0;
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	copy_in(r, head, src, n);
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

int ring_push(ring *r, const void *elem)
{
	if (ring_write(r, elem, 1) == 1)
		return 1;
	atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
	return 0;
}

size_t ring_read(ring *r, void *dst, size_t n)
{
	size_t available = ring_readable(r);
	if (n > available)
		n = available;
	if (n == 0)
		return 0;
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	copy_out(r, tail, dst, n);
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

size_t ring_consumed(const ring *r)
{
	return atomic_load_explicit(&r->tail, memory_order_acquire);
}

uint64_t ring_dropped(const ring *r)
{
	return atomic_load_explicit(&r->dropped, memory_order_relaxed);
}
