/* Unit tests for resampler.c: a 44.1 kHz tone comes out at 48 kHz at the
 * same pitch and level and with low distortion; blocks of any size give
 * what one long block gives; and a state saved by assignment and restored
 * gives the same frames again (sub-frame control's re-decode). */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>

#include "resampler.h"

enum { IN_RATE = 44100, OUT_RATE = 48000, SECONDS = 1 };

static float *tone(double hz, int rate, size_t frames)
{
	float *x = malloc(sizeof(float) * 2 * frames);
	for (size_t i = 0; i < frames; i++)
		x[2 * i] = x[2 * i + 1] = (float)(0.5 * sin(2 * M_PI * hz * (double)i / rate));
	return x;
}

/* What a block-by-block conversion of `in` gives, blocks of `block` frames. */
static size_t convert(resampler *r, const float *in, size_t frames, size_t block, float *out)
{
	size_t made = 0;
	for (size_t done = 0; done < frames; done += block) {
		size_t n = frames - done < block ? frames - done : block;
		size_t expect = resampler_output_frames(r, n);
		size_t got = resampler_process(r, in + 2 * done, n, out + 2 * made);
		assert_int_equal(got, expect);
		made += got;
	}
	return made;
}

/* The residual of y against the best-fitting sine at hz (after the delay),
 * relative to its level, in dB. */
static double residual_db(const float *y, size_t from, size_t n, double hz, int rate)
{
	double s = 0, c = 0;
	for (size_t i = from; i < from + n; i++) {
		s += y[2 * i] * sin(2 * M_PI * hz * (double)i / rate);
		c += y[2 * i] * cos(2 * M_PI * hz * (double)i / rate);
	}
	s *= 2.0 / (double)n, c *= 2.0 / (double)n;
	double err = 0, power = 0;
	for (size_t i = from; i < from + n; i++) {
		double fit = s * sin(2 * M_PI * hz * (double)i / rate) + c * cos(2 * M_PI * hz * (double)i / rate);
		err += (y[2 * i] - fit) * (y[2 * i] - fit);
		power += fit * fit;
	}
	return 10 * log10(err / power);
}

static void a_tone_keeps_its_pitch_level_and_purity(void **state)
{
	(void)state;
	resampler r;
	assert_int_equal(resampler_init(&r, IN_RATE, OUT_RATE), 0);
	const size_t frames = IN_RATE * SECONDS;
	float *in = tone(1000.0, IN_RATE, frames), *out = malloc(sizeof(float) * 2 * (OUT_RATE + 64) * SECONDS);
	size_t made = convert(&r, in, frames, frames, out);
	assert_true(fabs((double)made - (double)frames * OUT_RATE / IN_RATE) < 40); /* less the filter's delay */
	double peak = 0;
	for (size_t i = 4800; i < made; i++)
		peak = fmax(peak, fabs(out[2 * i]));
	assert_float_equal(peak, 0.5, 0.005); /* within 0.1 dB */
	double db = residual_db(out, 4800, 38400, 1000.0, OUT_RATE);
	print_message("1 kHz, 44.1 -> 48 kHz: residual %.1f dB\n", db);
	assert_true(db < -70);
	/* near the top of the band (17 kHz) as well */
	free(in);
	in = tone(17000.0, IN_RATE, frames);
	resampler_destroy(&r);
	assert_int_equal(resampler_init(&r, IN_RATE, OUT_RATE), 0);
	convert(&r, in, frames, frames, out);
	db = residual_db(out, 4800, 38400, 17000.0, OUT_RATE);
	print_message("17 kHz: residual %.1f dB\n", db);
	assert_true(db < -60);
	resampler_destroy(&r);
	free(in);
	free(out);
}

static void blocks_of_any_size_give_the_same_frames(void **state)
{
	(void)state;
	resampler whole, blocks;
	assert_int_equal(resampler_init(&whole, IN_RATE, OUT_RATE), 0);
	assert_int_equal(resampler_init(&blocks, IN_RATE, OUT_RATE), 0);
	const size_t frames = 20000;
	float *in = tone(440.0, IN_RATE, frames), *a = malloc(sizeof(float) * 2 * 30000),
	      *b = malloc(sizeof(float) * 2 * 30000);
	size_t na = convert(&whole, in, frames, frames, a), nb = convert(&blocks, in, frames, 509, b);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < 2 * na; i++)
		assert_float_equal(a[i], b[i], 1e-6);
	resampler_destroy(&whole);
	resampler_destroy(&blocks);
	free(in);
	free(a);
	free(b);
}

/* What sub-frame control does: save before a frame, convert it, restore,
 * convert another frame instead: the same number of frames, and exactly
 * what converting the other from the saved state gives. */
static void a_saved_state_converts_a_frame_again(void **state)
{
	(void)state;
	resampler r;
	assert_int_equal(resampler_init(&r, IN_RATE, OUT_RATE), 0);
	const size_t frame = 2048;
	float *first = tone(440.0, IN_RATE, 3 * frame), *other = tone(660.0, IN_RATE, frame);
	static float played[2 * 5000], old[2 * 2400], again[2 * 2400], reference[2 * 2400];
	convert(&r, first, 2 * frame, frame, played); /* two frames played */
	resampler before = r;                         /* the state before the third */
	size_t n_old = resampler_process(&r, first + 2 * 2 * frame, frame, old);
	r = before; /* the move: decode the frame again */
	size_t n_again = resampler_process(&r, other, frame, again);
	assert_int_equal(n_again, n_old);
	resampler fresh = before;
	size_t n_ref = resampler_process(&fresh, other, frame, reference);
	assert_int_equal(n_ref, n_again);
	assert_memory_equal(again, reference, sizeof(float) * 2 * n_again);
	assert_true(memcmp(again, old, sizeof(float) * 2 * n_again) != 0);
	resampler_destroy(&r);
	free(first);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_tone_keeps_its_pitch_level_and_purity),
	    cmocka_unit_test(blocks_of_any_size_give_the_same_frames),
	    cmocka_unit_test(a_saved_state_converts_a_frame_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
