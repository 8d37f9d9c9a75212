/*
 * torch_loader.c — libtorch, loaded the first time it is needed (see
 * torch_backend.h).
 *
 * Before the shared object (and with it libtorch and its BLAS) loads, the
 * BLAS kernels are chosen from the CPU's features (blas_kernels.h); once
 * loaded, a self-check compares a matrix product and a convolution with a
 * double-precision reference. Kernels that fail it cannot be unloaded from
 * a running process, so the process starts again (the same command line)
 * on the next safer kernels; the log says why.
 *
 * Threads: any non-RT thread; the first call loads, under pthread_once.
 */
#include "torch_backend.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas_kernels.h"
#include "log.h"

static const char LIBRARY[] = "libterraind-torch.so";

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const tb_api *api;
static char why_not[1024]; /* why the backend could not be loaded */

/* The shared object beside the binary (the build directory; tests and
 * the bench one folder below it), or installed under ../lib/terraind;
 * TERRAIND_TORCH_BACKEND names it outright. */
static void *open_library(void)
{
	const char *named = getenv("TERRAIND_TORCH_BACKEND");
	if (named && named[0])
		return dlopen(named, RTLD_NOW | RTLD_GLOBAL);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return dlopen(LIBRARY, RTLD_NOW | RTLD_GLOBAL);
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	static const char *const places[] = {"%s/%s", "%s/../%s", "%s/../lib/terraind/%s"};
	void *handle = NULL;
	for (size_t i = 0; i < sizeof places / sizeof places[0] && !handle; i++) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof path, places[i], exe, LIBRARY);
		if (access(path, R_OK) == 0 && !(handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL)))
			return NULL; /* found but failed (libtorch missing?): that error is the one to tell */
	}
	return handle ? handle : dlopen(LIBRARY, RTLD_NOW | RTLD_GLOBAL);
}

/* The same command line again, in a fresh process (the environment holds
 * the safer kernels now). */
static void start_again(void)
{
	static char cmdline[65536];
	char *argv[512];
	FILE *f = fopen("/proc/self/cmdline", "rb");
	size_t n = f ? fread(cmdline, 1, sizeof cmdline - 1, f) : 0;
	if (f)
		fclose(f);
	int argc = 0;
	for (size_t i = 0; i < n && argc < 511; i += strlen(cmdline + i) + 1)
		argv[argc++] = cmdline + i;
	argv[argc] = NULL;
	if (argc > 0)
		execv("/proc/self/exe", argv);
	log_error("cannot start again on safer BLAS kernels: %s", argc ? "exec failed" : "no command line");
}

/* For the tests of the fall-back: TERRAIND_FAULT_BLAS_CHECK names kernels
 * whose check is made to fail (nothing else can make a sound OpenBLAS
 * compute wrong results on demand). */
static int fault_injected(char *err, size_t errlen)
{
	const char *fault = getenv("TERRAIND_FAULT_BLAS_CHECK"), *set = getenv("OPENBLAS_CORETYPE");
	if (!fault || !set || strcmp(fault, set) != 0)
		return 0;
	snprintf(err, errlen, "made to fail by TERRAIND_FAULT_BLAS_CHECK");
	return 1;
}

static void load(void)
{
	blas_kernels_choose();
	void *handle = open_library();
	const tb_api *(*get)(void) = handle ? (const tb_api *(*)(void))dlsym(handle, "terraind_torch_api") : NULL;
	if (!get) {
		snprintf(why_not, sizeof why_not,
		         "cannot load libtorch through %s: %s (build it with make; install "
		         "libtorch-dev with make deps)",
		         LIBRARY, dlerror());
		return;
	}
	const tb_api *table = get();
	if (table->version != TB_API_VERSION) {
		snprintf(why_not, sizeof why_not, "%s is from another build of terraind (API %d, expected %d)", LIBRARY,
		         table->version, TB_API_VERSION);
		return;
	}
	char err[256];
	if (table->blas_check(err, sizeof err) < 0 || fault_injected(err, sizeof err)) {
		const char *kernels = getenv("OPENBLAS_CORETYPE");
		log_error("the BLAS kernels %s give wrong results: %s", kernels ? kernels : "OpenBLAS chose", err);
		if (blas_kernels_fall_back(err) == 0) {
			log_warn("starting again on the %s kernels", getenv("OPENBLAS_CORETYPE"));
			start_again();
		}
		log_warn("playing on them anyway: nothing safer to fall back to, or OPENBLAS_CORETYPE was set by hand");
	}
	api = table;
}

/* The backend, loading it if need be; NULL with the reason in why_not. */
static const tb_api *backend(void)
{
	pthread_once(&once, load);
	return api;
}

static int unavailable(char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", why_not);
	return -1;
}

int tb_loaded(void)
{
	return api != NULL;
}

int tb_load(const char *path, tb_module **out, char *err, size_t errlen)
{
	*out = NULL;
	return backend() ? api->load(path, out, err, errlen) : unavailable(err, errlen);
}

/* The rest take a module, so the backend is loaded already (or the
 * function is process-wide and says what it can). */

void tb_free(tb_module *module)
{
	if (module)
		api->free(module);
}

int tb_list_methods(tb_module *module, char (*names)[TB_NAME_MAX], int max, char *err, size_t errlen)
{
	return api->list_methods(module, names, max, err, errlen);
}

int tb_list_attributes(tb_module *module, char (*names)[TB_NAME_MAX], int max)
{
	return api->list_attributes(module, names, max);
}

int tb_has_method(tb_module *module, const char *name)
{
	return api->has_method(module, name);
}

int tb_get_int(tb_module *module, const char *name, int64_t *value)
{
	return api->get_int(module, name, value);
}

int tb_get_int_array(tb_module *module, const char *name, int64_t *values, int max)
{
	return api->get_int_array(module, name, values, max);
}

int tb_get_string_list(tb_module *module, const char *name, char (*values)[TB_NAME_MAX], int max)
{
	return api->get_string_list(module, name, values, max);
}

int64_t tb_get_tensor(tb_module *module, const char *name, float *data, int64_t capacity, int64_t *shape, int *ndim,
                      char *err, size_t errlen)
{
	return api->get_tensor(module, name, data, capacity, shape, ndim, err, errlen);
}

int tb_call(tb_module *module, const char *method, const float *in, tb_shape in_shape, float *out, tb_shape out_shape,
            char *err, size_t errlen)
{
	return api->call(module, method, in, in_shape, out, out_shape, err, errlen);
}

int tb_nn_terrain_forward(tb_module *module, const float *coords, int64_t count, int64_t in_dim, float *out,
                          int64_t out_dim, char *err, size_t errlen)
{
	return api->nn_terrain_forward(module, coords, count, in_dim, out, out_dim, err, errlen);
}

int tb_train_cppn(const float *coords, const float *targets, int64_t count, int in_dim, int out_dim,
                  const tb_train_options *options, tb_train_progress progress, void *ctx, float *fourier,
                  float *const *weights, float *const *biases, float *prelu, double *final_loss, char *err,
                  size_t errlen)
{
	if (!backend())
		return unavailable(err, errlen);
	return api->train_cppn(coords, targets, count, in_dim, out_dim, options, progress, ctx, fourier, weights,
	                       biases, prelu, final_loss, err, errlen);
}

int tb_state_prepare(tb_module *module, char *err, size_t errlen)
{
	return api->state_prepare(module, err, errlen);
}

int tb_state_save(tb_module *module, int rows, char *err, size_t errlen)
{
	return api->state_save(module, rows, err, errlen);
}

int tb_state_restore(tb_module *module, char *err, size_t errlen)
{
	return api->state_restore(module, err, errlen);
}

int64_t tb_state_bytes(const tb_module *module, int rows)
{
	return api->state_bytes(module, rows);
}

int tb_state_mark_rows(tb_module *module, int rows, char *err, size_t errlen)
{
	return api->state_mark_rows(module, rows, err, errlen);
}

void tb_set_threads(int threads)
{
	if (backend())
		api->set_threads(threads);
}

int tb_get_threads(void)
{
	return backend() ? api->get_threads() : 0;
}

void tb_manual_seed(uint64_t seed)
{
	if (backend())
		api->manual_seed(seed);
}

int tb_blas_check(char *err, size_t errlen)
{
	return backend() ? api->blas_check(err, errlen) : unavailable(err, errlen);
}
