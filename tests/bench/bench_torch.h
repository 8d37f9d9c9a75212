/*
 * bench_torch — baselines written directly against libtorch's C++ frontend,
 * for `make bench` only (never linked into terraind).
 *
 * Threads: the caller's; libtorch uses its own intra-op setting.
 */
#ifndef TERRAIND_BENCH_TORCH_H
#define TERRAIND_BENCH_TORCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* nn_terrain's network (Fourier features, four PReLU layers of `channels`, a
 * linear output) trained with torch::nn modules and torch::optim::Adam: MSE,
 * `epochs` passes over `count` pairs in shuffled batches of `batch`, as a
 * libtorch programmer would write it. Returns 0 and the last epoch's mean
 * loss, or -1 with `err`. */
int bench_torch_train(const float *coords, const float *targets, int64_t count, int in_dim, int out_dim, int epochs,
                      int batch, int channels, int features, double gauss_scale, double lr, uint64_t seed, double *loss,
                      char *err, size_t errlen);

/* Which code path ATen's vectorised kernels take on this CPU ("AVX512",
 * "AVX2", "DEFAULT"), as ATen chose it (ATEN_CPU_CAPABILITY overrides). */
const char *bench_torch_cpu_capability(void);

#ifdef __cplusplus
}
#endif

#endif
