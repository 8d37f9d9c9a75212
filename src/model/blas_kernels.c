/*
 * blas_kernels.c — see blas_kernels.h.
 */
#include "blas_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* Fastest first: each runs on every CPU the ones before it run on. */
static const char *const kernels[] = {"Cooperlake", "SkylakeX", "Haswell", "Sandybridge", "Nehalem", "Prescott"};
enum { N_KERNELS = sizeof kernels / sizeof kernels[0] };

/* Set when terraind chose the kernels (it also sets OPENBLAS_CORETYPE), so
 * that a process it starts again (after a failed self-check, a restart to
 * reconnect the audio) tells its own choice from the user's. */
static const char WHY_VARIABLE[] = "TERRAIND_BLAS_WHY";

static char text[320];

#if defined(__x86_64__) || defined(__i386__)
static unsigned long long xgetbv0(void)
{
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (unsigned long long)hi << 32 | lo;
}

void blas_cpu_features(cpu_features *f)
{
	unsigned a, b, c, d;
	memset(f, 0, sizeof *f);
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	f->x86 = 1;
	f->sse3 = c & 1, f->ssse3 = (c >> 9) & 1, f->fma = (c >> 12) & 1;
	f->sse41 = (c >> 19) & 1, f->sse42 = (c >> 20) & 1, f->avx = (c >> 28) & 1;
	if ((c >> 27) & 1) { /* OSXSAVE: the OS says which register states it saves */
		unsigned long long xcr0 = xgetbv0();
		f->os_ymm = (xcr0 & 0x6) == 0x6;
		f->os_zmm = (xcr0 & 0xe6) == 0xe6;
	}
	if (__get_cpuid_max(0, NULL) < 7)
		return;
	__cpuid_count(7, 0, a, b, c, d);
	f->avx2 = (b >> 5) & 1, f->avx512f = (b >> 16) & 1, f->avx512dq = (b >> 17) & 1;
	f->avx512cd = (b >> 28) & 1, f->avx512bw = (b >> 30) & 1, f->avx512vl = (b >> 31) & 1;
	__cpuid_count(7, 1, a, b, c, d);
	f->avx512_bf16 = (a >> 5) & 1;
}
#else
void blas_cpu_features(cpu_features *f)
{
	memset(f, 0, sizeof *f); /* OpenBLAS's own choice stands elsewhere */
}
#endif

const char *blas_kernel_for(const cpu_features *f)
{
	if (!f->x86)
		return NULL;
	if (f->avx512f && f->avx512bw && f->avx512vl && f->avx512dq && f->avx512cd && f->os_zmm)
		return f->avx512_bf16 ? "Cooperlake" : "SkylakeX";
	if (f->avx2 && f->fma && f->os_ymm)
		return "Haswell";
	if (f->avx && f->os_ymm)
		return "Sandybridge";
	return f->sse42 ? "Nehalem" : "Prescott";
}

const char *blas_kernel_safer(const char *kernel)
{
	for (int i = 0; i + 1 < N_KERNELS; i++)
		if (strcmp(kernel, kernels[i]) == 0)
			return kernels[i + 1];
	return NULL;
}

void blas_features_text(const cpu_features *f, char *out, size_t len)
{
	if (f->avx512f && f->os_zmm)
		snprintf(out, len, "AVX-512 F%s%s%s%s%s", f->avx512bw ? "/BW" : "", f->avx512vl ? "/VL" : "",
		         f->avx512dq ? "/DQ" : "", f->avx512cd ? "/CD" : "", f->avx512_bf16 ? ", BF16" : "");
	else if (f->avx2 && f->os_ymm)
		snprintf(out, len, "AVX2%s", f->fma ? " and FMA" : "");
	else if (f->avx && f->os_ymm)
		snprintf(out, len, "AVX");
	else if (f->sse42)
		snprintf(out, len, "SSE4.2");
	else
		snprintf(out, len, f->x86 ? "SSE3 at most" : "not an x86 CPU");
	if (f->avx512f && !f->os_zmm)
		snprintf(out + strlen(out), len - strlen(out), " (AVX-512 present, but the OS does not enable it)");
}

void blas_kernels_choose(void)
{
	if (text[0])
		return;
	const char *set = getenv("OPENBLAS_CORETYPE"), *why = getenv(WHY_VARIABLE);
	if (set && set[0]) {
		if (why && why[0])
			snprintf(text, sizeof text, "%s", why);
		else
			snprintf(text, sizeof text, "OPENBLAS_CORETYPE=%s set in the environment: kept", set);
		return;
	}
	cpu_features f;
	blas_cpu_features(&f);
	const char *kernel = blas_kernel_for(&f);
	char features[160];
	blas_features_text(&f, features, sizeof features);
	if (!kernel) {
		snprintf(text, sizeof text, "OpenBLAS's own choice (%s)", features);
		return;
	}
	snprintf(text, sizeof text, "chosen from the CPU's features: %s", features);
	setenv("OPENBLAS_CORETYPE", kernel, 1);
	setenv(WHY_VARIABLE, text, 1);
}

int blas_kernels_fall_back(const char *why)
{
	const char *set = getenv("OPENBLAS_CORETYPE"), *mine = getenv(WHY_VARIABLE);
	const char *next = set && mine ? blas_kernel_safer(set) : NULL;
	if (!next)
		return -1;
	snprintf(text, sizeof text, "%s failed the start-up self-check (%s): the next safer", set, why);
	setenv("OPENBLAS_CORETYPE", next, 1);
	setenv(WHY_VARIABLE, text, 1);
	return 0;
}

const char *blas_kernels_text(void)
{
	return text[0] ? text : "OpenBLAS's own choice (libtorch not loaded yet)";
}
