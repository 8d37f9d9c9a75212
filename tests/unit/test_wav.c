/* Unit tests for wav.c: round trip, and a failed write never replaces a
 * good file. */
#include "test_util.h"

#include "wav.h"

static void written_audio_reads_back(void **state)
{
	(void)state;
	const char *path = "build/tests/roundtrip.wav";
	float stereo[2 * 100];
	for (int i = 0; i < 200; i++)
		stereo[i] = (float)(i % 7) / 8.0f - 0.4f;
	wav_writer *w;
	char err[256];
	assert_int_equal(wav_open(path, 44100, 2, WAV_FLOAT32, &w, err, sizeof err), 0);
	assert_int_equal(wav_write(w, stereo, 100, err, sizeof err), 0);
	assert_int_equal(wav_close(w, err, sizeof err), 0);
	float *back;
	int64_t frames;
	int channels, rate;
	assert_int_equal(wav_read(path, &back, &frames, &channels, &rate, err, sizeof err), 0);
	assert_int_equal(frames, 100);
	assert_int_equal(channels, 2);
	assert_int_equal(rate, 44100);
	assert_memory_equal(back, stereo, sizeof stereo);
	free(back);
	remove(path);
}

static void an_aborted_write_keeps_the_previous_file(void **state)
{
	(void)state;
	const char *path = "build/tests/keep.wav";
	float one[1] = {0.5f};
	wav_writer *w;
	char err[256];
	assert_int_equal(wav_open(path, 48000, 1, WAV_PCM16, &w, err, sizeof err), 0);
	assert_int_equal(wav_write(w, one, 1, err, sizeof err), 0);
	assert_int_equal(wav_close(w, err, sizeof err), 0);
	assert_int_equal(wav_open(path, 48000, 1, WAV_PCM16, &w, err, sizeof err), 0);
	float many[64] = {0};
	assert_int_equal(wav_write(w, many, 64, err, sizeof err), 0);
	wav_abort(w);
	float *back;
	int64_t frames;
	int channels, rate;
	assert_int_equal(wav_read(path, &back, &frames, &channels, &rate, err, sizeof err), 0);
	assert_int_equal(frames, 1);
	free(back);
	remove(path);
}

static void unreadable_files_are_named(void **state)
{
	(void)state;
	float *x;
	int64_t frames;
	int channels, rate;
	char err[256];
	assert_int_equal(wav_read("README.md", &x, &frames, &channels, &rate, err, sizeof err), -1);
	assert_contains(err, "cannot read README.md");
	wav_writer *w;
	assert_int_equal(wav_open("no/such/dir/x.wav", 48000, 1, WAV_PCM16, &w, err, sizeof err), -1);
	assert_contains(err, "cannot write no/such/dir/x.wav");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(written_audio_reads_back),
	    cmocka_unit_test(an_aborted_write_keeps_the_previous_file),
	    cmocka_unit_test(unreadable_files_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
