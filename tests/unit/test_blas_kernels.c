/* Unit tests for blas_kernels.c: the OpenBLAS kernels follow the CPU's
 * features (and what the OS enables), never its name; an OPENBLAS_CORETYPE
 * a user set is kept; a failed self-check steps to the next safer kernels,
 * but never overrides the user's. */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blas_kernels.h"

static cpu_features avx512_server(void)
{
	return (cpu_features){.x86 = 1,
	                      .sse3 = 1,
	                      .ssse3 = 1,
	                      .sse41 = 1,
	                      .sse42 = 1,
	                      .avx = 1,
	                      .avx2 = 1,
	                      .fma = 1,
	                      .avx512f = 1,
	                      .avx512bw = 1,
	                      .avx512vl = 1,
	                      .avx512dq = 1,
	                      .avx512cd = 1,
	                      .os_ymm = 1,
	                      .os_zmm = 1};
}

static void kernels_follow_the_features(void **state)
{
	(void)state;
	cpu_features f = avx512_server(); /* the 2-core Xeon OpenBLAS 0.3.21 calls Prescott */
	assert_string_equal(blas_kernel_for(&f), "SkylakeX");
	f.avx512_bf16 = 1;
	assert_string_equal(blas_kernel_for(&f), "Cooperlake");
	f.os_zmm = 0; /* AVX-512 present, not enabled by the OS (or the hypervisor) */
	assert_string_equal(blas_kernel_for(&f), "Haswell");
	f = avx512_server();
	f.avx512bw = 0; /* Knights Landing's AVX-512 has no BW/VL: not SkylakeX */
	assert_string_equal(blas_kernel_for(&f), "Haswell");
	f.avx512f = 0, f.fma = 0;
	assert_string_equal(blas_kernel_for(&f), "Sandybridge");
	f.os_ymm = 0;
	assert_string_equal(blas_kernel_for(&f), "Nehalem");
	f.sse42 = 0;
	assert_string_equal(blas_kernel_for(&f), "Prescott");
	f = (cpu_features){0}; /* not x86: OpenBLAS's own choice */
	assert_null(blas_kernel_for(&f));
	char words[160];
	blas_features_text(&(cpu_features){.x86 = 1, .avx512f = 1, .avx2 = 1, .fma = 1, .os_ymm = 1}, words,
	                   sizeof words);
	assert_string_equal(words, "AVX2 and FMA (AVX-512 present, but the OS does not enable it)");
}

static void each_kernel_has_a_safer_one_down_to_the_oldest(void **state)
{
	(void)state;
	const char *k = "Cooperlake";
	const char *expected[] = {"SkylakeX", "Haswell", "Sandybridge", "Nehalem", "Prescott"};
	for (int i = 0; i < 5; i++) {
		k = blas_kernel_safer(k);
		assert_string_equal(k, expected[i]);
	}
	assert_null(blas_kernel_safer("Prescott"));
	assert_null(blas_kernel_safer("Zen")); /* not one of terraind's: nothing to step to */
}

/* The choice is made once a process (before libtorch loads): each case
 * runs in a child of its own, with the environment it describes. */
static int in_child(int (*body)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(body());
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static int chooses_and_says_why(void)
{
	unsetenv("OPENBLAS_CORETYPE");
	unsetenv("TERRAIND_BLAS_WHY");
	blas_kernels_choose();
	cpu_features f;
	blas_cpu_features(&f);
	const char *kernel = blas_kernel_for(&f), *set = getenv("OPENBLAS_CORETYPE");
	if (kernel && (!set || strcmp(set, kernel) != 0))
		return 1;
	return strstr(blas_kernels_text(), "chosen from the CPU's features") ? 0 : 2;
}

static int keeps_the_users_choice(void)
{
	setenv("OPENBLAS_CORETYPE", "Sandybridge", 1);
	unsetenv("TERRAIND_BLAS_WHY");
	blas_kernels_choose();
	if (strcmp(getenv("OPENBLAS_CORETYPE"), "Sandybridge") != 0)
		return 1;
	if (!strstr(blas_kernels_text(), "OPENBLAS_CORETYPE=Sandybridge set in the environment: kept"))
		return 2;
	return blas_kernels_fall_back("wrong results") == -1 ? 0 : 3; /* never overridden */
}

static int falls_back_after_a_failed_check(void)
{
	setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
	setenv("TERRAIND_BLAS_WHY", "chosen from the CPU's features: AVX-512", 1); /* terraind's own choice */
	blas_kernels_choose();
	if (blas_kernels_fall_back("off by 0.3") != 0 || strcmp(getenv("OPENBLAS_CORETYPE"), "Haswell") != 0)
		return 1;
	/* the process starting again on Haswell reads why from the environment */
	return strstr(getenv("TERRAIND_BLAS_WHY"), "SkylakeX failed the start-up self-check (off by 0.3)") ? 0 : 2;
}

static void the_environment_decides_what_is_kept(void **state)
{
	(void)state;
	assert_int_equal(in_child(chooses_and_says_why), 0);
	assert_int_equal(in_child(keeps_the_users_choice), 0);
	assert_int_equal(in_child(falls_back_after_a_failed_check), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kernels_follow_the_features),
	    cmocka_unit_test(each_kernel_has_a_safer_one_down_to_the_oldest),
	    cmocka_unit_test(the_environment_decides_what_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
