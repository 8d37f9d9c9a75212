/* Unit tests for osc_stream.c: TCP framing in any pieces, and the sizes
 * that put a stream out of step. (tests/fuzz/fuzz_osc_stream.c checks the
 * same against a reference parse on fuzzer-made input.) */
#include "test_util.h"

#include "osc_stream.h"

typedef struct got {
	int packets;
	size_t sizes[8];
	unsigned char last[16];
} got;

static void collect(void *ctx, const unsigned char *packet, size_t size)
{
	got *g = ctx;
	g->sizes[g->packets++ % 8] = size;
	memcpy(g->last, packet, size < sizeof g->last ? size : sizeof g->last);
}

static int feed(osc_stream *s, const unsigned char *data, size_t n, got *g, char *why)
{
	size_t room;
	unsigned char *space = osc_stream_space(s, &room);
	assert_true(room >= n);
	memcpy(space, data, n);
	return osc_stream_commit(s, n, collect, g, why, 128);
}

static void frames_arrive_whole_whatever_the_pieces(void **state)
{
	(void)state;
	unsigned char wire[64];
	size_t n = osc_stream_frame(wire, "/a\0\0,\0\0\0", 8);
	n += osc_stream_frame(wire + n, "/bb\0,i\0\0\0\0\0\7", 12);
	assert_int_equal(n, 4 + 8 + 4 + 12);
	for (size_t piece = 1; piece <= n; piece++) {
		osc_stream s;
		got g = {0};
		char why[128];
		assert_int_equal(osc_stream_init(&s), 0);
		for (size_t pos = 0; pos < n; pos += piece)
			assert_int_equal(feed(&s, wire + pos, pos + piece > n ? n - pos : piece, &g, why), 0);
		assert_int_equal(g.packets, 2);
		assert_int_equal(g.sizes[0], 8);
		assert_int_equal(g.sizes[1], 12);
		assert_int_equal(g.last[11], 7);
		osc_stream_destroy(&s);
	}
}

static void an_impossible_size_ends_the_stream(void **state)
{
	(void)state;
	osc_stream s;
	got g = {0};
	char why[128];
	assert_int_equal(osc_stream_init(&s), 0);
	unsigned char zero[4] = {0, 0, 0, 0}, huge[4] = {0, 1, 0, 1};
	assert_int_equal(feed(&s, zero, 4, &g, why), -1);
	assert_contains(why, "packet size 0 is out of range");
	assert_int_equal(feed(&s, huge, 4, &g, why), -1);
	assert_contains(why, "65537");
	unsigned char largest[4] = {0, 1, 0, 0}; /* 65536: allowed, and the buffer takes all of it */
	assert_int_equal(feed(&s, largest, 4, &g, why), 0);
	size_t room;
	osc_stream_space(&s, &room);
	assert_int_equal(room, OSC_STREAM_MAX_PACKET);
	assert_int_equal(g.packets, 0);
	osc_stream_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(frames_arrive_whole_whatever_the_pieces),
	    cmocka_unit_test(an_impossible_size_ends_the_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
