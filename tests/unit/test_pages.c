/* Unit tests for pages.c: buffers zeroed, aligned, resident before anyone
 * writes them, and unmapped when freed. */
#include "test_util.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pages.h"

/* The pages of [p, p + bytes) that are resident, and -1 when any of the
 * range is not mapped at all. */
static long resident_pages(const void *p, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t first = (uintptr_t)p / page * page;
	size_t count = ((uintptr_t)p + bytes - first + page - 1) / page;
	unsigned char *vec = malloc(count);
	long resident = 0;
	if (mincore((void *)first, count * page, vec) < 0) {
		assert_int_equal(errno, ENOMEM);
		resident = -1;
	}
	for (size_t i = 0; resident >= 0 && i < count; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident;
}

static void buffers_are_zeroed_aligned_and_resident_before_first_written(void **state)
{
	(void)state;
	const size_t bytes = 300 * 1024 + 7, pages = (bytes + 4095) / 4096;
	unsigned char *p = pages_alloc(bytes);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % PAGES_ALIGNMENT, 0);
	/* Resident already: the render thread, which writes a scene's audio
	 * buffers first, must not fault on them. */
	assert_true(resident_pages(p, bytes) >= (long)pages);
	for (size_t i = 0; i < bytes; i++)
		if (p[i] != 0)
			fail_msg("byte %zu is %d", i, p[i]);
	p[bytes - 1] = 1; /* the last byte asked for is there */
	pages_free(p);
	assert_int_equal(resident_pages(p, bytes), -1); /* unmapped: nothing left behind */
	pages_free(NULL);
}

static void an_empty_or_impossible_request_is_answered(void **state)
{
	(void)state;
	void *p = pages_alloc(0);
	assert_non_null(p);
	pages_free(p);
	assert_null(pages_alloc((size_t)-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buffers_are_zeroed_aligned_and_resident_before_first_written),
	    cmocka_unit_test(an_empty_or_impossible_request_is_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
