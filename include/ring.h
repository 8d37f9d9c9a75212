/*
 * ring — a lock-free single-producer / single-consumer ring buffer of
 * fixed-size elements (control events, audio samples).
 *
 * Threading contract (as JACK's ringbuffer.h): exactly one thread writes and
 * exactly one thread reads, and they never swap roles. Under that contract
 * every function below is real-time safe: no locks, no allocation, no system
 * calls, bounded time. ring_create/ring_free allocate and are not.
 *
 * The writer publishes with a release store of `head` after copying the
 * data; the reader acquires `head` before copying out, and publishes `tail`
 * with a release store after it is done, so the writer never overwrites
 * slots still being read. head and tail sit on separate cache lines so the
 * two threads do not false-share.
 */
#ifndef TERRAIND_RING_H
#define TERRAIND_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ring {
	_Alignas(64) atomic_size_t head; /* written by the producer */
	_Alignas(64) atomic_size_t tail; /* written by the consumer */
	_Alignas(64) size_t capacity;    /* elements, a power of two */
	size_t mask;
	size_t elem_size;
	atomic_uint_fast64_t dropped; /* elements a producer could not write */
	unsigned char *data;
} ring;

/* Capacity is rounded up to a power of two. Returns NULL on failure. */
ring *ring_create(size_t capacity, size_t elem_size);
void ring_free(ring *r);

/* Producer side. */
size_t ring_writable(const ring *r);
/* Writes up to n elements; returns how many were written. */
size_t ring_write(ring *r, const void *src, size_t n);
/* Writes one element or counts it as dropped; returns 1 if written. */
int ring_push(ring *r, const void *elem);

/* Consumer side. */
size_t ring_readable(const ring *r);
/* Reads up to n elements; returns how many were read. */
size_t ring_read(ring *r, void *dst, size_t n);

uint64_t ring_dropped(const ring *r);

/* Elements the consumer has read since the ring was made (either side may
 * ask: the producer learns where the consumer is). */
size_t ring_consumed(const ring *r);

#endif
