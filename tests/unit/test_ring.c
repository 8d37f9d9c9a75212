/* Unit tests for ring.c, and a two-thread stress test that `make tsan`
 * runs under ThreadSanitizer. */
#include "test_util.h"

#include <pthread.h>

#include "ring.h"

static void capacity_is_rounded_up_to_a_power_of_two(void **state)
{
	(void)state;
	ring *r = ring_create(100, sizeof(float));
	assert_non_null(r);
	assert_int_equal(r->capacity, 128);
	assert_int_equal(ring_writable(r), 128);
	assert_int_equal(ring_readable(r), 0);
	ring_free(r);
	assert_null(ring_create(0, 4));
	assert_null(ring_create(4, 0));
}

static void elements_come_out_in_order_across_the_wrap(void **state)
{
	(void)state;
	ring *r = ring_create(8, sizeof(int));
	int in[5], out[5], next = 0, expect = 0;
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 5; i++)
			in[i] = next++;
		assert_int_equal(ring_write(r, in, 5), 5);
		assert_int_equal(ring_read(r, out, 5), 5);
		for (int i = 0; i < 5; i++)
			assert_int_equal(out[i], expect++);
	}
	ring_free(r);
}

static void a_full_ring_writes_what_fits_and_counts_drops(void **state)
{
	(void)state;
	ring *r = ring_create(4, sizeof(int));
	int in[6] = {1, 2, 3, 4, 5, 6}, out[6];
	assert_int_equal(ring_write(r, in, 6), 4);
	assert_int_equal(ring_writable(r), 0);
	assert_int_equal(ring_push(r, &in[4]), 0);
	assert_int_equal(ring_dropped(r), 1);
	assert_int_equal(ring_read(r, out, 6), 4);
	assert_int_equal(out[3], 4);
	assert_int_equal(ring_read(r, out, 1), 0);
	ring_free(r);
}

enum { STRESS_ITEMS = 2000000 };

static void *produce(void *arg)
{
	ring *r = arg;
	uint32_t block[37];
	uint32_t next = 0;
	while (next < STRESS_ITEMS) {
		size_t n = 1 + next % 37;
		if (next + n > STRESS_ITEMS)
			n = STRESS_ITEMS - next;
		for (size_t i = 0; i < n; i++)
			block[i] = next + (uint32_t)i;
		size_t written = ring_write(r, block, n);
		next += (uint32_t)written;
		if (written == 0)
			sched_yield();
	}
	return NULL;
}

static void two_threads_pass_two_million_items_without_loss_or_reordering(void **state)
{
	(void)state;
	ring *r = ring_create(256, sizeof(uint32_t));
	pthread_t producer;
	assert_int_equal(pthread_create(&producer, NULL, produce, r), 0);
	uint32_t expect = 0, block[64];
	while (expect < STRESS_ITEMS) {
		size_t n = ring_read(r, block, 1 + expect % 64);
		for (size_t i = 0; i < n; i++)
			if (block[i] != expect++)
				fail_msg("item %u arrived as %u", expect - 1, block[i]);
		if (n == 0)
			sched_yield();
	}
	pthread_join(producer, NULL);
	assert_int_equal(ring_readable(r), 0);
	ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(capacity_is_rounded_up_to_a_power_of_two),
	    cmocka_unit_test(elements_come_out_in_order_across_the_wrap),
	    cmocka_unit_test(a_full_ring_writes_what_fits_and_counts_drops),
	    cmocka_unit_test(two_threads_pass_two_million_items_without_loss_or_reordering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
