/*
 * blas_kernels — which OpenBLAS kernels libtorch runs on, chosen from what
 * the CPU can do.
 *
 * OpenBLAS picks its kernels from the CPU's model number at load time, and
 * a distribution's OpenBLAS is always older than the CPUs people buy:
 * Debian 12's 0.3.21 does not know a 2-core Xeon with AVX-512 and falls
 * back to its oldest x86-64 kernels (Prescott: SSE3), 2.6 times slower for
 * a RAVE decoder. So terraind picks the kernels itself, from the CPU's
 * features (CPUID, and XGETBV for what the operating system lets run),
 * never from its name or number, and sets OPENBLAS_CORETYPE before the
 * BLAS library loads (torch_loader.c loads libtorch lazily for that). A
 * value already in the environment is kept as it is: some machines set it
 * on purpose (old OpenBLAS builds compute wrong results on some new
 * processors). A chosen kernel is only adopted after a self-check against
 * a double-precision reference; failing it, the next safer one is tried.
 *
 * Threads: main thread, before libtorch is loaded (blas_kernels_choose);
 * the rest are pure or read what was chosen.
 */
#ifndef TERRAIND_BLAS_KERNELS_H
#define TERRAIND_BLAS_KERNELS_H

#include <stddef.h>

/* What the CPU can do, and what the operating system saves the state of
 * (AVX needs the YMM state enabled, AVX-512 the opmask and ZMM states). */
typedef struct cpu_features {
	int x86; /* CPUID answers (0 on other architectures: nothing below is set) */
	int sse3, ssse3, sse41, sse42, avx, avx2, fma;
	int avx512f, avx512bw, avx512vl, avx512dq, avx512cd, avx512_bf16;
	int os_ymm, os_zmm; /* XGETBV: the OS saves YMM, and opmask + ZMM, registers */
} cpu_features;

/* This CPU's features. */
void blas_cpu_features(cpu_features *f);

/* The OpenBLAS core type (OPENBLAS_CORETYPE) for these features: the
 * fastest whose instructions the CPU and the OS support; NULL when there is
 * nothing to choose (not x86: OpenBLAS's own choice stands). */
const char *blas_kernel_for(const cpu_features *f);
/* The next safer core type after `kernel` (NULL after the oldest). */
const char *blas_kernel_safer(const char *kernel);
/* The features a choice rests on, as words ("AVX-512 F/BW/VL/DQ/CD, BF16"). */
void blas_features_text(const cpu_features *f, char *out, size_t len);

/* Before the BLAS library loads: keeps an OPENBLAS_CORETYPE already in the
 * environment, else sets the kernels for this CPU. What runs and why is
 * then blas_kernels_text(). Idempotent. */
void blas_kernels_choose(void);
/* The self-check failed on the kernels in use: the next safer ones go into
 * the environment (for a fresh start of the process) and the reason into
 * the text. Returns 0, or -1 when there is nothing safer, or the kernels
 * were the user's (then they stand). */
int blas_kernels_fall_back(const char *why);
/* Why these kernels: "chosen from the CPU's features: AVX-512
 * F/BW/VL/DQ/CD", "OPENBLAS_CORETYPE=Haswell set in the environment: kept",
 * "SkylakeX failed the start-up self-check (...): the next safer". */
const char *blas_kernels_text(void);

#endif
