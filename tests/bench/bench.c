/*
 * bench.c — `make bench`: terraind's speed, each figure a ratio against a
 * baseline measured in the same run, as the median of several runs
 * (machines here are shared and noisy; absolute times drift).
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alloc_count.h"
#include "bench_torch.h"
#include "clock.h"
#include "engine.h"
#include "blas_kernels.h"
#include "midi_bridge.h"
#include "midi_in.h"
#include "model.h"
#include "plot.h"
#include "render.h"
#include "terrain_json.h"
#include "terrain_preview.h"
#include "terrain_train.h"
#include "torch_backend.h"

enum { RUNS = 7 };

static double seconds(void)
{
	return clock_now_ns() / 1e9;
}

static double cpu_seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, compare_doubles);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench: %s: %s\n", what, err);
	exit(1);
}

static void row(const char *what, const char *value, const char *baseline, const char *ratio, const char *target,
                int met)
{
	printf("| %-44s | %-22s | %-30s | %-16s | %-22s | %-4s |\n", what, value, baseline, ratio, target,
	       met ? "yes" : "NO");
}

/* An nn_terrain preset twice: as terraind's C terrain and as libtorch tensors. */
static void load_preset(const char *preset, terrain **t, tb_module **mod)
{
	char err[1024];
	if (terrain_import_nn_terrain(preset, -1, 1, t, err, sizeof err) < 0 ||
	    tb_load(preset, mod, err, sizeof err) < 0)
		die(preset, err);
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ---- terrain eval, one coordinate --------------------------------------- */

static void bench_eval_one(const char *preset)
{
	char err[1024];
	terrain *t;
	tb_module *mod;
	load_preset(preset, &t, &mod);
	enum { N = 2000 };
	float *coords = malloc(sizeof(float) * 2 * N), z[1024];
	float *scratch = malloc(sizeof(float) * terrain_scratch_floats(t));
	for (int i = 0; i < 2 * N; i++)
		coords[i] = (float)rand() / RAND_MAX * 2 - 1;
	double c_us[RUNS], torch_us[RUNS], ratio[RUNS];
	long c_allocs = 0, torch_allocs = 0;
	for (int r = 0; r < RUNS; r++) {
		double t0 = seconds();
		alloc_count_start();
		for (int i = 0; i < N; i++)
			terrain_eval(t, coords + 2 * i, z, scratch);
		c_allocs += alloc_count_stop();
		double t1 = seconds();
		alloc_count_start();
		for (int i = 0; i < N / 4; i++)
			tb_nn_terrain_forward(mod, coords + 2 * i, 1, 2, z, t->latent_dim, err, sizeof err);
		torch_allocs += alloc_count_stop();
		double t2 = seconds();
		c_us[r] = (t1 - t0) / N * 1e6;
		torch_us[r] = (t2 - t1) / (N / 4) * 1e6;
		ratio[r] = torch_us[r] / c_us[r];
	}
	char what[128], value[64], base[64], rat[32];
	const char *name = file_name(preset);
	snprintf(what, sizeof what, "terrain eval, 1 coordinate (%s, %s)", name, terrain_kernel_name());
	snprintf(value, sizeof value, "%.1f us, %ld allocs", median(c_us, RUNS), c_allocs);
	snprintf(base, sizeof base, "libtorch %.1f us, %ld allocs/call", median(torch_us, RUNS),
	         torch_allocs / (RUNS * (N / 4)));
	double m = median(ratio, RUNS);
	snprintf(rat, sizeof rat, "%.1fx faster", m);
	row(what, value, base, rat, ">= 5x, 0 allocations", m >= 5 && c_allocs == 0);
	free(coords);
	free(scratch);
	terrain_free(t);
	tb_free(mod);
}

/* ---- plot grid -------------------------------------------------------------- */

static void bench_plot(const char *preset)
{
	char err[1024];
	terrain *t;
	tb_module *mod;
	load_preset(preset, &t, &mod);
	enum { SIDE = 512, N = SIDE * SIDE, PLOT_RUNS = 3 };
	float *coords = malloc(sizeof(float) * 2 * N);
	float *z = malloc(sizeof(float) * (size_t)N * t->latent_dim);
	for (int i = 0; i < SIDE; i++)
		for (int j = 0; j < SIDE; j++) {
			coords[2 * (i * SIDE + j)] = -1 + 2.0f * j / (SIDE - 1);
			coords[2 * (i * SIDE + j) + 1] = -1 + 2.0f * i / (SIDE - 1);
		}
	double c_s[PLOT_RUNS], torch_s[PLOT_RUNS], ratio[PLOT_RUNS], faults[PLOT_RUNS];
	for (int r = 0; r < PLOT_RUNS; r++) {
		double t0 = seconds();
		if (terrain_eval_batch(t, coords, N, z, err, sizeof err) < 0)
			die("batch", err);
		double t1 = seconds();
		/* libtorch's tensors for 262144 rows are hundreds of megabytes,
		 * mapped afresh and faulted in page by page on every call: what a
		 * fault costs (a hypervisor's, or a bare machine's) sets much of
		 * this baseline, so the row says how many there were. */
		struct rusage u0, u1;
		getrusage(RUSAGE_SELF, &u0);
		if (tb_nn_terrain_forward(mod, coords, N, 2, z, t->latent_dim, err, sizeof err) < 0)
			die("torch batch", err);
		getrusage(RUSAGE_SELF, &u1);
		double t2 = seconds();
		faults[r] = (double)(u1.ru_minflt - u0.ru_minflt);
		c_s[r] = t1 - t0;
		torch_s[r] = t2 - t1;
		ratio[r] = torch_s[r] / c_s[r];
	}
	char what[128], value[64], base[64], rat[32];
	const char *name = file_name(preset);
	snprintf(what, sizeof what, "plot 512x512 grid (%s, %s)", name, terrain_kernel_name());
	snprintf(value, sizeof value, "%.0f ms", median(c_s, PLOT_RUNS) * 1e3);
	snprintf(base, sizeof base, "libtorch batched %.0f ms, %.0fk faults", median(torch_s, PLOT_RUNS) * 1e3,
	         median(faults, PLOT_RUNS) / 1e3);
	double m = median(ratio, PLOT_RUNS);
	snprintf(rat, sizeof rat, "%.2fx faster", m);
	row(what, value, base, rat, ">= 10x", m >= 10);
	free(coords);
	free(z);
	terrain_free(t);
	tb_free(mod);
}

/* ---- the browser's picture: 256x256 RGB, as `plot` draws it ------------------ */

/* plot_terrain(): the grid on every core, normalised and coloured to RGB
 * bytes; PNG encoding not included. The browser's picture is the preview
 * (bfloat16 where the CPU has AVX512_BF16: terrain_preview.h); its
 * baseline is the same picture in fp32, runs interleaved. */
typedef struct picture_times {
	double wall_ms, cpu_ms;
} picture_times;

static picture_times time_picture(const terrain *t, plot_options *o, int preview, unsigned char *rgb)
{
	char err[256];
	o->preview = preview;
	double t0 = seconds(), c0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
	if (plot_terrain(t, o, rgb, err, sizeof err) < 0)
		die("plot", err);
	return (picture_times){(seconds() - t0) * 1e3, (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3};
}

static void bench_picture(const char *preset)
{
	char err[1024];
	terrain *t;
	if (terrain_import_nn_terrain(preset, -1, 1, &t, err, sizeof err) < 0)
		die(preset, err);
	enum { SIDE = 256, PICTURE_RUNS = 7 };
	plot_options o = {.width = SIDE, .height = SIDE, .channels = {0, 1, 2}};
	unsigned char *rgb = malloc(3 * SIDE * SIDE);
	double ms[PICTURE_RUNS], cpu_ms[PICTURE_RUNS], fp32_ms[PICTURE_RUNS], fp32_cpu_ms[PICTURE_RUNS],
	    ratio[PICTURE_RUNS];
	for (int r = 0; r < PICTURE_RUNS; r++) {
		picture_times fast = time_picture(t, &o, 1, rgb), exact = time_picture(t, &o, 0, rgb);
		ms[r] = fast.wall_ms, cpu_ms[r] = fast.cpu_ms;
		fp32_ms[r] = exact.wall_ms, fp32_cpu_ms[r] = exact.cpu_ms;
		ratio[r] = exact.cpu_ms / fast.cpu_ms;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char what[128], value[64], base[64], rat[32];
	snprintf(what, sizeof what, "picture 256x256 RGB, no PNG (%s, %s, %ld threads)", file_name(preset),
	         terrain_preview_kernel_name(), cpus);
	double m = median(ms, PICTURE_RUNS);
	/* CPU time too: on a shared machine the wall time says how busy the
	 * other jobs were as much as what the picture costs; the ratio is of
	 * CPU times. */
	snprintf(value, sizeof value, "%.1f ms (CPU %.1f ms)", m, median(cpu_ms, PICTURE_RUNS));
	snprintf(base, sizeof base, "fp32 %.1f ms (CPU %.1f ms)", median(fp32_ms, PICTURE_RUNS),
	         median(fp32_cpu_ms, PICTURE_RUNS));
	snprintf(rat, sizeof rat, "%.2fx less CPU", median(ratio, PICTURE_RUNS));
	row(what, value, base, rat, "<= 50 ms", m <= 50);
	free(rgb);
	terrain_free(t);
}

/* ---- training: terraind's trainer against torch::optim::Adam ------------------ */

/* 1000 Adam steps of nn_terrain's default network (2 -> 8 latents, 128
 * channels, 256 features, batch 32: 10 epochs of 3200 pairs) through
 * terrain_train(), as `train` and /train/run run it, against the same
 * network and optimiser written with torch::nn and torch::optim::Adam.
 * Both on one thread; timed in CPU seconds of the process, which the other
 * jobs of a shared machine disturb less than wall time. */
static void bench_training(void)
{
	enum { PAIRS = 3200, EPOCHS = 10, BATCH = 32, LATENTS = 8, TRAIN_RUNS = 3 };
	char err[1024];
	float *x = malloc(sizeof(float) * PAIRS * 2), *y = malloc(sizeof(float) * PAIRS * LATENTS);
	for (int i = 0; i < PAIRS; i++) {
		x[2 * i] = (float)rand() / RAND_MAX * 2 - 1;
		x[2 * i + 1] = (float)rand() / RAND_MAX * 2 - 1;
		for (int k = 0; k < LATENTS; k++)
			y[i * LATENTS + k] = sinf(3.0f * x[2 * i] * (float)(k + 1)) * cosf(2.0f * x[2 * i + 1]);
	}
	tb_train_options opt = {.epochs = EPOCHS,
	                        .batch = BATCH,
	                        .channels = 128,
	                        .features = 256,
	                        .lr = 1e-3,
	                        .gauss_scale = 0.2,
	                        .seed = 1};
	double ours_s[TRAIN_RUNS], torch_s[TRAIN_RUNS], ratio[TRAIN_RUNS], ours_loss = 0, torch_loss = 0;
	for (int r = 0; r < TRAIN_RUNS; r++) {
		terrain *t;
		double t0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
		if (terrain_train(x, y, PAIRS, 2, LATENTS, &opt, NULL, NULL, &t, &ours_loss, err, sizeof err) < 0)
			die("terrain_train", err);
		double t1 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
		if (bench_torch_train(x, y, PAIRS, 2, LATENTS, EPOCHS, BATCH, opt.channels, opt.features,
		                      opt.gauss_scale, opt.lr, opt.seed, &torch_loss, err, sizeof err) < 0)
			die("libtorch training", err);
		double t2 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
		terrain_free(t);
		ours_s[r] = t1 - t0;
		torch_s[r] = t2 - t1;
		ratio[r] = ours_s[r] / torch_s[r];
	}
	char value[64], base[64], rat[32];
	double m = median(ratio, TRAIN_RUNS);
	snprintf(value, sizeof value, "%.2f s, loss %.4f", median(ours_s, TRAIN_RUNS), ours_loss);
	snprintf(base, sizeof base, "optim::Adam %.2f s, loss %.4f", median(torch_s, TRAIN_RUNS), torch_loss);
	snprintf(rat, sizeof rat, "%.2fx the time", m);
	row("training, 1000 Adam steps (8 latents, 128 ch, 256 feat.)", value, base, rat, "<= 1.05x", m <= 1.05);
	free(x);
	free(y);
}

/* What ran: the CPU, terraind's kernel variant, OpenBLAS's kernel (libtorch's
 * sgemm) and ATen's vector code path, each picked at start-up by CPU. */
static void print_machine(void)
{
	char model_name[512] = "unknown", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			char *colon = strchr(line, ':');
			snprintf(model_name, sizeof model_name, "%s", colon ? colon + 2 : line);
			model_name[strcspn(model_name, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	char *(*corename)(void) = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
	char blas[1024];
	model_blas_library(blas, sizeof blas);
	printf("CPU: %s, %ld online; terraind kernels: %s; BLAS: %s (OpenBLAS core %s); ATen: %s\n\n", model_name,
	       sysconf(_SC_NPROCESSORS_ONLN), terrain_kernel_name(), blas, corename ? corename() : "n/a",
	       bench_torch_cpu_capability());
}

/* ---- render thread cost vs bare decode ------------------------------------------ */

/* The terrain at `path`, or for a model without one a random
 * nn_terrain-sized terrain (2 -> the model's latents, 128 channels, 256
 * features) over [-1, 1]. */
static terrain *terrain_for(const model *m, const char *path)
{
	char err[1024];
	terrain *t;
	if (path) {
		if (terrain_load(path, &t, err, sizeof err) < 0)
			die(path, err);
		return t;
	}
	terrain_shape s = {.control_dim = 2,
	                   .latent_dim = m->latent_dim,
	                   .n_features = 256,
	                   .n_layers = 5,
	                   .widths = {128, 128, 128, 128, m->latent_dim}};
	if (terrain_create(&s, &t, err, sizeof err) < 0)
		die("terrain", err);
	for (size_t i = 0; i < t->storage_floats; i++)
		t->storage[i] = ((float)rand() / RAND_MAX - 0.5f) * 0.2f;
	for (int d = 0; d < 2; d++)
		t->bounds_min[d] = -1, t->bounds_max[d] = 1;
	if (terrain_finish(t, err, sizeof err) < 0)
		die("terrain", err);
	return t;
}

static void bench_render_overhead(const char *model_path, const char *terrain_path)
{
	char err[1024], warn[256];
	model *m;
	terrain *t = NULL;
	render_engine e;
	if (model_load(model_path, NULL, &m, err, sizeof err) < 0)
		die(model_path, err);
	t = terrain_for(m, terrain_path);
	if (render_init(&e, m, t, 20, err, sizeof err, warn, sizeof warn) < 0)
		die("render", err);
	const int frames = (int)(2.0 * m->sample_rate / m->ratio); /* 2 s of audio */
	float *out = malloc(sizeof(float) * (size_t)m->ratio * m->audio_channels);
	float *latents = malloc(sizeof(float) * (size_t)frames * m->latent_dim);
	/* The bare loop decodes the very latents the render loop produced. */
	double render_s[RUNS], bare_s[RUNS], ratio[RUNS];
	for (int r = 0; r < RUNS; r++) {
		double t0 = seconds();
		for (int k = 0; k < frames; k++) {
			float xy[2] = {sinf(k * 0.05f), cosf(k * 0.031f)};
			render_set_target(&e, xy, 2);
			render_frame(&e, out, err, sizeof err);
			memcpy(latents + (size_t)k * m->latent_dim, e.latent, sizeof(float) * m->latent_dim);
		}
		double t1 = seconds();
		for (int k = 0; k < frames; k++)
			model_decode(m, latents + (size_t)k * m->latent_dim, 1, e.planar, err, sizeof err);
		double t2 = seconds();
		render_s[r] = t1 - t0;
		bare_s[r] = t2 - t1;
		ratio[r] = render_s[r] / bare_s[r];
	}
	char what[128], value[64], base[64], rat[32];
	snprintf(what, sizeof what, "render CPU per s of audio (%s)", m->id);
	snprintf(value, sizeof value, "%.1f ms", median(render_s, RUNS) / 2 * 1e3);
	snprintf(base, sizeof base, "bare decode loop %.1f ms", median(bare_s, RUNS) / 2 * 1e3);
	double med = median(ratio, RUNS);
	snprintf(rat, sizeof rat, "%.3fx", med);
	row(what, value, base, rat, "<= 1.05x", med <= 1.05);
	free(out);
	free(latents);
	render_destroy(&e);
	model_free(m);
	terrain_free(t);
}

/* ---- live path: latency, callback time, start-up ------------------------------------ */

typedef struct live_result {
	double latency_ms, floor_ms, callback_max_us, period_us, startup_s;
	long callback_allocs;
} live_result;

/* Runs the live engine as the daemon does, with this thread playing the
 * audio callback in real time (one period every period/rate seconds). */
static live_result run_live(const char *model_path, const char *terrain_path, int period)
{
	live_result res = {0};
	char err[1024], warn[256];
	double t0 = seconds();
	model *m;
	terrain *t;
	scene *v;
	engine *e;
	if (model_load(model_path, NULL, &m, err, sizeof err) < 0 ||
	    terrain_load(terrain_path, &t, err, sizeof err) < 0 ||
	    scene_create(m, t, 0, m->sample_rate, 8, &v, err, sizeof err, warn, sizeof warn) < 0 ||
	    engine_create(m->sample_rate, period, 0, 0, &e, err, sizeof err) < 0 ||
	    engine_start(e, v, err, sizeof err) < 0)
		die("live", err);
	float *out = malloc(sizeof(float) * 2 * (size_t)period);
	engine_pull(e, out, (unsigned long)period, 2); /* first sound */
	res.startup_s = seconds() - t0;
	res.floor_ms = 1000.0 * m->ratio / m->sample_rate + 1000.0 * period / m->sample_rate;
	res.period_us = 1e6 * period / m->sample_rate;
	const long period_ns = (long)(1e9 * period / m->sample_rate);
	double latencies[64];
	int n_lat = 0;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int cycle = 0; cycle < 64 * 20; cycle++) {
		if (cycle % 20 == 10) { /* a cursor move every 20 periods */
			control_event ev = {.type = CONTROL_TARGET, .dim = 2, .received_ns = clock_now_ns()};
			ev.value[0] = (cycle / 20) % 2 ? 0.5f : -0.5f;
			engine_send(e, &ev);
		}
		next.tv_nsec += period_ns;
		while (next.tv_nsec >= 1000000000)
			next.tv_sec++, next.tv_nsec -= 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		int64_t c0 = clock_now_ns();
		alloc_count_start();
		engine_pull(e, out, (unsigned long)period, 2);
		res.callback_allocs += alloc_count_stop();
		double us = (clock_now_ns() - c0) / 1e3;
		if (cycle > 20 && us > res.callback_max_us)
			res.callback_max_us = us;
		if (cycle % 20 == 19) {
			engine_stats s;
			engine_stats_read(e, &s);
			if (s.latency_ns > 0 && n_lat < 64)
				latencies[n_lat++] = s.latency_ns / 1e6;
		}
	}
	res.latency_ms = n_lat ? median(latencies, n_lat) : -1;
	engine_free(e);
	model_free(m);
	terrain_free(t);
	free(out);
	return res;
}

/* This thread plays the audio callback (on 1): the priority JACK gives its
 * clients' process threads, above the render thread; back to normal (on
 * 0). Returns whether the priority was granted. */
static int as_callback(int on)
{
	struct sched_param param = {.sched_priority = on ? 10 : 0};
	return pthread_setschedparam(pthread_self(), on ? SCHED_FIFO : SCHED_OTHER, &param) == 0;
}

static void bench_live(void)
{
	if (!as_callback(1))
		fprintf(
		    stderr,
		    "bench: no real-time priority for the simulated callback: its worst case includes preemption\n");
	double lat[3], cb[3], start[3];
	live_result r = {0};
	long allocs = 0;
	for (int i = 0; i < 3; i++) {
		r = run_live("models/demo.ts", "terrains/demo.json", 128);
		lat[i] = r.latency_ms;
		cb[i] = r.callback_max_us;
		start[i] = r.startup_s;
		allocs += r.callback_allocs;
	}
	char value[64], base[64], rat[32];
	double l = median(lat, 3);
	snprintf(value, sizeof value, "%.1f ms (median)", l);
	snprintf(base, sizeof base, "floor %.1f ms", r.floor_ms);
	snprintf(rat, sizeof rat, "floor + %.1f ms", l - r.floor_ms);
	row("control -> sound latency (demo, period 128)", value, base, rat, "<= floor + 5 ms", l <= r.floor_ms + 5);
	double c = median(cb, 3);
	snprintf(value, sizeof value, "%.1f us worst, %ld allocs", c, allocs);
	snprintf(base, sizeof base, "period %.0f us", r.period_us);
	snprintf(rat, sizeof rat, "%.2f %%", 100 * c / r.period_us);
	row("audio callback time, worst case", value, base, rat, "<= 5 % of the period",
	    c <= 0.05 * r.period_us && allocs == 0);
	double s = median(start, 3);
	snprintf(value, sizeof value, "%.2f s", s);
	row("start -> first sound (demo model, in process)", value, "-", "-", "< 2 s", s < 2);
	as_callback(0);
}

/* ---- voices: the live engine's CPU with 8 voices against 1, and against
 * the bare batched decode ---------------------------------------------------- */

enum { MAX_LATENCIES = 512 };

typedef struct voices_result {
	double render_cpu_s;     /* per second of audio: the process's CPU less this (callback) thread's */
	double render_cpu_frame; /* the same CPU per latent frame the engine rendered in that time */
	double callback_max_us, period_us;
	uint64_t xruns, shed, redecodes, replaced;
	double latency_ms[MAX_LATENCIES]; /* control -> sound, one per move the probe caught */
	int n_latency;
} voices_result;

/* The engine as the daemon runs it, `voices` voices moving every
 * `move_every` periods (sub-frame control on or off), this thread playing
 * the callback in real time for `seconds`. The voices come in one by one
 * first, over SETTLE_S (as fingers land: a batch that grows from 1 row to
 * 8 in one frame outruns a ring sized for 1, docs/performance.md), and the
 * measurement starts after that. */
static voices_result run_voices(model *m, terrain *t, int voices, double seconds, int move_every, int subframe)
{
	enum { PERIOD = 128 };
	const double SETTLE_S = 1.0;
	voices_result res = {0};
	char err[1024], warn[256];
	scene *s;
	engine *e;
	const int rows = voices > 8 ? voices : 8;
	if (scene_create(m, t, 20, m->sample_rate, rows, &s, err, sizeof err, warn, sizeof warn) < 0 ||
	    engine_create(m->sample_rate, PERIOD, 0, 0, &e, err, sizeof err) < 0)
		die("voices", err);
	engine_set_voices(e, rows, 50);
	engine_set_subframe(e, subframe);
	if (engine_start(e, s, err, sizeof err) < 0)
		die("voices", err);
	int64_t last_latency = -1;
	float out[2 * PERIOD];
	const long period_ns = (long)(1e9 * PERIOD / m->sample_rate);
	const int settle = (int)(SETTLE_S * m->sample_rate / PERIOD);
	const int cycles = settle + (int)(seconds * m->sample_rate / PERIOD);
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	engine_stats st0 = {0};
	double p0 = 0, c0 = 0;
	for (int cycle = 0; cycle < cycles; cycle++) {
		if (cycle == settle) {
			engine_stats_read(e, &st0);
			p0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
			c0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
		}
		/* every sounding voice moves (every 8 periods: 46 times a second);
		 * voice v joins at v / voices of the first half of the settling */
		int sounding = cycle >= settle / 2 ? voices : 1 + cycle * voices / (settle / 2);
		if (cycle % move_every == 0)
			for (int v = 0; v < sounding && v < voices; v++) {
				control_event ev = {
				    .type = CONTROL_TARGET, .voice = v, .dim = 2, .received_ns = clock_now_ns()};
				ev.value[0] = sinf(0.01f * (float)cycle + (float)v);
				ev.value[1] = cosf(0.013f * (float)cycle + 2.0f * (float)v);
				engine_send(e, &ev);
			}
		next.tv_nsec += period_ns;
		while (next.tv_nsec >= 1000000000)
			next.tv_sec++, next.tv_nsec -= 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		int64_t t0 = clock_now_ns();
		engine_pull(e, out, PERIOD, 2);
		double us = (clock_now_ns() - t0) / 1e3;
		if (cycle > settle && us > res.callback_max_us)
			res.callback_max_us = us;
		if (cycle > settle &&
		    cycle % move_every == move_every - 1) { /* the probe of the last move, if it fired */
			engine_stats st;
			engine_stats_read(e, &st);
			if (st.latency_ns > 0 && st.latency_ns != last_latency && res.n_latency < MAX_LATENCIES)
				res.latency_ms[res.n_latency++] = st.latency_ns / 1e6;
			last_latency = st.latency_ns;
		}
	}
	double process = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - p0,
	       callback = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
	engine_stats st;
	engine_stats_read(e, &st);
	res.render_cpu_s = (process - callback) / seconds;
	/* Per frame rendered: the engine decodes ahead of the callback by its
	 * ring's fill, so per second of audio would count that fill too. */
	const uint64_t frames = st.frames_rendered - st0.frames_rendered;
	res.render_cpu_frame = (process - callback) / (double)(frames > 0 ? frames : 1);
	res.period_us = 1e6 * PERIOD / m->sample_rate;
	res.xruns = st.underruns - st0.underruns;
	res.shed = st.voices_shed - st0.voices_shed;
	res.redecodes = st.redecodes - st0.redecodes;
	res.replaced = st.queued_replaced - st0.queued_replaced;
	engine_free(e);
	return res;
}

/* The bare batched decode: `rows` rows a frame, for `seconds` of audio;
 * CPU seconds per latent frame. */
static double bare_decode_cpu_frame(model *m, int rows, double seconds)
{
	char err[512];
	const int frames = (int)(seconds * m->sample_rate / m->ratio);
	float *latents = calloc((size_t)rows * m->latent_dim, sizeof(float));
	float *audio = malloc(sizeof(float) * (size_t)rows * m->audio_channels * m->ratio);
	double c0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (int k = 0; k < frames; k++) {
		for (int i = 0; i < rows * m->latent_dim; i++)
			latents[i] = 0.5f * sinf(0.1f * (float)(k + i));
		if (model_decode_rows(m, latents, rows, 1, audio, err, sizeof err) < 0)
			die("decode", err);
	}
	double cpu = (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / frames;
	free(latents);
	free(audio);
	return cpu;
}

/* The model at `path` (or die) and a terrain for it (terrain_for), loaded
 * as the daemon loads it for `rows` voices: every batch size warmed up;
 * with a twin (MODEL_TWIN_*) for a second render thread, or without. */
static model *bench_model_rows(const char *path, terrain **t, int rows, int twin)
{
	char err[1024];
	model *m;
	model_options options = model_default_options();
	options.warmup_rows = rows;
	options.twin = twin;
	if (model_load(path, &options, &m, err, sizeof err) < 0)
		die(path, err);
	*t = terrain_for(m, NULL);
	return m;
}

static model *bench_model(const char *path, terrain **t)
{
	return bench_model_rows(path, t, 8, MODEL_TWIN_NEVER);
}

/* The most voices that play 5 s with no xrun and no voice shed: counts
 * from `from` while they do, by `step` (from 8 down by 1 when 8 do not). */
static int most_voices(model *m, terrain *t, int from, int step, int most)
{
	as_callback(1);
	int sustained = 0;
	for (int n = from; n <= most; n += step) {
		voices_result r = run_voices(m, t, n, 5.0, 8, 0);
		if (r.xruns > 0 || r.shed > 0)
			break;
		sustained = n;
	}
	for (int n = from - 1; n >= 1 && !sustained; n--) {
		voices_result r = run_voices(m, t, n, 5.0, 8, 0);
		if (r.xruns == 0 && r.shed == 0)
			sustained = n;
	}
	as_callback(0);
	return sustained;
}

/* Both cores: the model and its twin, each decoding half of the voices
 * (decode_parts.c), against one render thread in the same run (both
 * warmed up for as many voices, counted up from 8 by 2). */
static void bench_two_threads(const char *model_path)
{
	enum { MOST = 24 };
	terrain *t;
	model *m = bench_model_rows(model_path, &t, MOST, MODEL_TWIN_NEVER);
	const int one_thread = most_voices(m, t, 8, 2, MOST);
	terrain_free(t);
	model_free(m);
	m = bench_model_rows(model_path, &t, MOST, MODEL_TWIN_ALWAYS);
	as_callback(1);
	voices_result eight = run_voices(m, t, 8, 5.0, 8, 0);
	as_callback(0);
	char what[128], value[96], base[96], rat[32];
	snprintf(what, sizeof what, "8 voices, two render threads, 5 s (%s)", m->id);
	snprintf(value, sizeof value, "%llu xruns, %llu shed, %.0f ms CPU per s", (unsigned long long)eight.xruns,
	         (unsigned long long)eight.shed, eight.render_cpu_s * 1e3);
	row(what, value, "-", "-", "0 xruns, 0 shed", eight.xruns == 0 && eight.shed == 0);
	int sustained = most_voices(m, t, 8, 2, MOST);
	snprintf(what, sizeof what, "voices in real time, 5 s, two render threads (%s)", m->id);
	snprintf(value, sizeof value, "%d", sustained);
	snprintf(base, sizeof base, "one thread %d", one_thread);
	snprintf(rat, sizeof rat, "%.2fx", one_thread > 0 ? (double)sustained / one_thread : 0.0);
	row(what, value, base, rat, ">= 14", sustained >= 14);
	terrain_free(t);
	model_free(m);
}

static void bench_voices(const char *model_path)
{
	enum { VOICE_RUNS = 3 };
	const double seconds = 3.0;
	terrain *t;
	model *m = bench_model(model_path, &t);
	as_callback(1);
	double one[VOICE_RUNS], eight[VOICE_RUNS], eight_frame[VOICE_RUNS], bare[VOICE_RUNS], cost[VOICE_RUNS],
	    overhead[VOICE_RUNS];
	double callback = 0;
	uint64_t xruns = 0, shed = 0;
	for (int r = 0; r < VOICE_RUNS; r++) {
		/* (sub-frame control off: these rows measure the decode of voices) */
		voices_result a = run_voices(m, t, 1, seconds, 8, 0), b = run_voices(m, t, 8, seconds, 8, 0);
		one[r] = a.render_cpu_s;
		eight[r] = b.render_cpu_s;
		bare[r] = bare_decode_cpu_frame(m, 8, seconds);
		cost[r] = eight[r] / one[r];
		eight_frame[r] = b.render_cpu_frame;
		overhead[r] = eight_frame[r] / bare[r];
		callback = fmax(callback, b.callback_max_us);
		xruns += b.xruns;
		shed += b.shed;
	}
	as_callback(0);
	char what[128], value[96], base[96], rat[32];
	double c = median(cost, VOICE_RUNS), o = median(overhead, VOICE_RUNS);
	snprintf(what, sizeof what, "render CPU per s of audio, 8 voices (%s)", m->id);
	snprintf(value, sizeof value, "%.0f ms, %llu xruns, %llu shed", median(eight, VOICE_RUNS) * 1e3,
	         (unsigned long long)xruns, (unsigned long long)shed);
	snprintf(base, sizeof base, "1 voice %.0f ms", median(one, VOICE_RUNS) * 1e3);
	snprintf(rat, sizeof rat, "%.2fx", c);
	row(what, value, base, rat, "<= 3.0x", c <= 3.0);
	snprintf(what, sizeof what, "render CPU vs bare batched decode, 8 voices (%s)", m->id);
	snprintf(value, sizeof value, "%.2f ms a frame", median(eight_frame, VOICE_RUNS) * 1e3);
	snprintf(base, sizeof base, "decode of 8 rows %.2f ms", median(bare, VOICE_RUNS) * 1e3);
	/* With voices shed the engine decoded fewer rows than the baseline:
	 * the ratio would flatter it. The decode of 8 rows over 1 s of CPU per
	 * second of audio is the machine's limit, and says so. */
	if (shed > 0)
		snprintf(rat, sizeof rat, "n/a: %llu shed", (unsigned long long)shed);
	else
		snprintf(rat, sizeof rat, "%.3fx", o);
	row(what, value, base, rat, "<= 1.05x", shed == 0 && o <= 1.05);
	snprintf(value, sizeof value, "%.1f us worst", callback);
	snprintf(base, sizeof base, "period %.0f us", 1e6 * 128 / m->sample_rate);
	snprintf(rat, sizeof rat, "%.2f %%", 100 * callback / (1e6 * 128 / m->sample_rate));
	row("audio callback time, 8 voices (rave_bench)", value, base, rat, "<= 5 % of the period",
	    callback <= 0.05 * 1e6 * 128 / m->sample_rate);
	/* The most voices this machine decodes in real time, up to 8. */
	int sustained = most_voices(m, t, 8, 1, 8);
	snprintf(what, sizeof what, "voices in real time, 5 s, no xrun or shed (%s)", m->id);
	snprintf(value, sizeof value, "%d", sustained);
	row(what, value, "-", "-", "8 (or the count reported)", sustained == 8);
	terrain_free(t);
	model_free(m);
}

/* ---- a bundled model's decode of 8 voices, as a share of real time (one
 * core, one torch thread: CPU time), against the demo model's in the same
 * run ---------------------------------------------------------------------------- */

static double decode_share(const char *path, double *frame_ms)
{
	enum { RUNS = 5 };
	terrain *t;
	model *m = bench_model(path, &t);
	double cpu[RUNS];
	for (int r = 0; r < RUNS; r++)
		cpu[r] = bare_decode_cpu_frame(m, 8, 2.0);
	double per = median(cpu, RUNS);
	*frame_ms = 1e3 * m->ratio / m->sample_rate;
	terrain_free(t);
	model_free(m);
	return per;
}

static void bench_model_decode(const char *path)
{
	double frame_ms, demo_frame_ms;
	double per = decode_share(path, &frame_ms), demo = decode_share("models/demo.ts", &demo_frame_ms);
	double share = per * 1e3 / frame_ms;
	char what[128], value[96], base[128], rat[32];
	snprintf(what, sizeof what, "decode of 8 voices, one core (%s)", path);
	snprintf(value, sizeof value, "%.2f ms a %.1f ms frame", per * 1e3, frame_ms);
	snprintf(base, sizeof base, "real time; demo.ts 8 rows %.2f ms (%.1f %%)", demo * 1e3,
	         100 * demo * 1e3 / demo_frame_ms);
	snprintf(rat, sizeof rat, "%.1f %% of real time", 100 * share);
	row(what, value, base, rat, "<= 10 %", share <= 0.10);
}

/* ---- grains: each grain decoded on its own row, against the one row that
 * mixing the grains' latents (the cheaper design not taken) would decode ---- */

static void send_grain(engine *e, grain_setting setting, float value, int n)
{
	control_event ev = {.type = CONTROL_GRAIN, .first_axis = setting, .dim = n};
	ev.value[0] = value;
	engine_send(e, &ev);
}

/* CPU per second of audio of the engine offline (no real-time pacing:
 * only the work counts), `overlap` grains of 100 ms sounding at once on
 * their own rows, or with overlap 0 one voice: one row a frame, what the
 * grains' latents mixed into one vector would decode. */
static double run_grains(model *m, terrain *t, int overlap, double seconds, uint64_t *skipped)
{
	char err[1024], warn[256];
	scene *s;
	engine *e;
	if (scene_create(m, t, 20, m->sample_rate, 8, &s, err, sizeof err, warn, sizeof warn) < 0 ||
	    engine_create(m->sample_rate, 128, 0, 0, &e, err, sizeof err) < 0)
		die("grains", err);
	engine_set_voices(e, 8, 50);
	engine_start_offline(e, s);
	if (overlap > 0) {
		control_event off = {.type = CONTROL_VOICE_OFF};
		engine_send(e, &off);
		send_grain(e, GRAIN_SIZE, 100, 1);
		send_grain(e, GRAIN_DENSITY, 10.0f * overlap, 1);
		send_grain(e, GRAIN_ON, 1, 1);
	}
	static float audio[2 * ENGINE_MAX_FRAME];
	uint64_t frames = 0, total = (uint64_t)(seconds * m->sample_rate);
	double c0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (int call = 0; frames < total; call++) {
		float p = 0.5f + 0.5f * sinf(0.05f * (float)call); /* the scanner moves: every frame evaluates */
		if (overlap > 0)
			send_grain(e, GRAIN_POSITION, p, 1);
		else
			engine_send(
			    e, &(control_event){.type = CONTROL_TARGET, .dim = 2, .value = {2 * p - 1, 1 - 2 * p}});
		size_t made = engine_render_offline(e, (int64_t)(1e9 * frames / m->sample_rate));
		engine_pull(e, audio, made, 2);
		engine_collect(e);
		frames += made;
	}
	double cpu = (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / seconds;
	grains_stats g;
	engine_grains_stats(e, &g);
	*skipped += g.skipped;
	engine_free(e);
	return cpu;
}

static void bench_grains(const char *model_path)
{
	enum { GRAIN_RUNS = 3, OVERLAP = 4 };
	const double seconds = 3.0;
	terrain *t;
	model *m = bench_model(model_path, &t);
	double rows[GRAIN_RUNS], one[GRAIN_RUNS], ratio[GRAIN_RUNS];
	uint64_t skipped = 0;
	for (int r = 0; r < GRAIN_RUNS; r++) {
		rows[r] = run_grains(m, t, OVERLAP, seconds, &skipped);
		one[r] = run_grains(m, t, 0, seconds, &skipped);
		ratio[r] = rows[r] / one[r];
	}
	char what[192], value[96], base[96], rat[32];
	double q = median(ratio, GRAIN_RUNS);
	snprintf(what, sizeof what, "grains: CPU per s of audio, %d overlapping grains on their own rows (%s)", OVERLAP,
	         m->id);
	snprintf(value, sizeof value, "%.0f ms, %llu skipped", median(rows, GRAIN_RUNS) * 1e3,
	         (unsigned long long)skipped);
	snprintf(base, sizeof base, "latents mixed into 1 row %.0f ms", median(one, GRAIN_RUNS) * 1e3);
	snprintf(rat, sizeof rat, "%.2fx", q);
	/* A batch costs less than its rows decoded one by one: the overlap
	 * bounds what separate grains may cost over one mixed row. */
	row(what, value, base, rat, "<= 4.0x (the overlap)", skipped == 0 && q <= OVERLAP);
	terrain_free(t);
	model_free(m);
}

/* ---- sub-frame control: control -> sound latency below the latent frame,
 * and the decode CPU it costs while the cursor moves -------------------------- */

static double percentile(double *v, int n, double p)
{
	if (n == 0)
		return -1;
	qsort(v, (size_t)n, sizeof *v, compare_doubles);
	int k = (int)ceil(p * n) - 1;
	return v[k < 0 ? 0 : k];
}

/* Pools b's latencies, xruns and re-decodes into a. */
static void add_latencies(voices_result *a, const voices_result *b)
{
	for (int i = 0; i < b->n_latency && a->n_latency < MAX_LATENCIES; i++)
		a->latency_ms[a->n_latency++] = b->latency_ms[i];
	a->xruns += b->xruns;
	a->redecodes += b->redecodes;
	a->replaced += b->replaced;
}

static double latency_median(voices_result *r)
{
	return r->n_latency ? median(r->latency_ms, r->n_latency) : -1;
}

/* With 8 voices moving the latency grows (a re-decode is the whole batch,
 * and the ring keeps more audio ahead of a costlier frame): how much, on one
 * render thread and on two, against one voice's in the same run. */
static void bench_subframe_voices(const char *model_path, double one_voice_ms)
{
	for (int threads = 1; threads <= 2; threads++) {
		terrain *t;
		model *m = bench_model_rows(model_path, &t, 8, threads == 2 ? MODEL_TWIN_ALWAYS : MODEL_TWIN_NEVER);
		as_callback(1);
		voices_result all = {0};
		for (int turn = 0; turn < 3; turn++) {
			voices_result r = run_voices(m, t, 8, 4.0, 19, 1);
			add_latencies(&all, &r);
		}
		as_callback(0);
		char what[160], value[160], base[64], rat[32];
		const double ms = latency_median(&all);
		snprintf(what, sizeof what, "control -> sound latency, sub-frame, 8 voices, %d render thread%s (%s)",
		         threads, threads == 2 ? "s" : "", m->id);
		snprintf(value, sizeof value, "%.1f ms median, %.1f ms p95, %llu xruns (%d moves, %llu re-decodes)", ms,
		         percentile(all.latency_ms, all.n_latency, 0.95), (unsigned long long)all.xruns, all.n_latency,
		         (unsigned long long)all.redecodes);
		snprintf(base, sizeof base, "1 voice %.1f ms", one_voice_ms);
		snprintf(rat, sizeof rat, "%.2fx", ms / one_voice_ms);
		row(what, value, base, rat, "reported (0 xruns)", all.xruns == 0);
		terrain_free(t);
		model_free(m);
	}
}

static void bench_subframe(const char *model_path)
{
	enum { RUNS = 3 };
	char err[1024];
	model *m;
	if (model_load(model_path, NULL, &m, err, sizeof err) < 0)
		die(model_path, err);
	if (!m->subframe)
		die(model_path, m->subframe_note);
	terrain *t = terrain_for(m, NULL);
	as_callback(1);
	/* Latency: a move every 19 periods (51 ms), 12 s each way, in turns of 3 s so that both
	 * meet the same load. Not 20 periods as the demo's row: 20 are 5/4 of rave_bench's frame,
	 * and the moves would fall on 4 places in it only; 19 visit 16. */
	voices_result off = {0}, on = {0};
	for (int turn = 0; turn < 4; turn++) {
		voices_result a = run_voices(m, t, 1, 3.0, 19, 0), b = run_voices(m, t, 1, 3.0, 19, 1);
		add_latencies(&off, &a);
		add_latencies(&on, &b);
	}
	/* CPU: the cursor moving 42 times a second (every 9 periods: 16 places in the frame), 4 s
	 * each way, three times. */
	double cpu_on[RUNS], cpu_off[RUNS], ratio[RUNS], redecodes_s[RUNS], moving_latency[RUNS];
	uint64_t xruns_moving = 0;
	for (int r = 0; r < RUNS; r++) {
		voices_result a = run_voices(m, t, 1, 4.0, 9, 0), b = run_voices(m, t, 1, 4.0, 9, 1);
		cpu_off[r] = a.render_cpu_s;
		cpu_on[r] = b.render_cpu_s;
		ratio[r] = b.render_cpu_s / a.render_cpu_s;
		redecodes_s[r] = (double)b.redecodes / 4.0;
		moving_latency[r] = latency_median(&b);
		xruns_moving += b.xruns;
	}
	as_callback(0);
	/* What every frame pays while sub-frame control is on, moving or not: the state snapshot. */
	enum { SAVES = 200 };
	double s0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < SAVES; i++)
		if (model_state_save(m, 1, err, sizeof err) < 0) /* one voice, as the rows above */
			die("snapshot", err);
	const double save_ms = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - s0) * 1e3 / SAVES;
	const double frame_ms = 1000.0 * m->ratio / m->sample_rate;
	char what[128], value[192], base[128], rat[64];
	double on_median = latency_median(&on), off_median = latency_median(&off);
	snprintf(what, sizeof what, "control -> sound latency, sub-frame (%s, frame %.1f ms)", m->id, frame_ms);
	snprintf(value, sizeof value,
	         "%.1f ms median, %.1f ms p95, %llu xruns (%d moves, %llu re-decodes, %llu over queued audio)",
	         on_median, percentile(on.latency_ms, on.n_latency, 0.95), (unsigned long long)on.xruns, on.n_latency,
	         (unsigned long long)on.redecodes, (unsigned long long)on.replaced);
	snprintf(base, sizeof base, "frame rate: %.1f ms median, %.1f ms p95, %llu xruns", off_median,
	         percentile(off.latency_ms, off.n_latency, 0.95), (unsigned long long)off.xruns);
	snprintf(rat, sizeof rat, "%.2fx", on_median / off_median);
	row(what, value, base, rat, "median <= 15 ms, 0 xruns", on_median <= 15 && on.xruns == 0);
	snprintf(what, sizeof what, "render CPU while the cursor moves 42/s, sub-frame (%s, 1 voice)", m->id);
	snprintf(value, sizeof value, "%.0f ms per s, %.1f re-decodes/s, %.1f ms median latency, %llu xruns",
	         median(cpu_on, RUNS) * 1e3, median(redecodes_s, RUNS), median(moving_latency, RUNS),
	         (unsigned long long)xruns_moving);
	snprintf(base, sizeof base, "frame rate %.0f ms per s (snapshot %.2f ms a frame)", median(cpu_off, RUNS) * 1e3,
	         save_ms);
	snprintf(rat, sizeof rat, "%.2fx", median(ratio, RUNS));
	row(what, value, base, rat, "reported (0 xruns)", xruns_moving == 0);
	terrain_free(t);
	model_free(m);
	bench_subframe_voices(model_path, on_median);
}

/* `terraind-bench [MODELS_DIR [SECTION]]`: SECTION (eval, plot, train,
 * render, voices, threads, instruments, live, grains, subframe or midi) runs
 * only that part of the table. */
/* ---- MIDI: a finger's move, from JACK's callback to the engine's ring -------- */

/* The OSC side MIDI plays into, as the daemon has it: the demo terrain's
 * shape, an engine whose control ring is emptied as the render thread
 * would (not started: nothing renders). */
typedef struct midi_bench {
	engine *engine;
	osc_context osc;
	midi_bridge bridge;
} midi_bench;

static void drop_osc(void *ctx, const osc_peer *peer, const void *data, size_t size)
{
	(void)ctx, (void)peer, (void)data, (void)size;
}

static void midi_bench_open(midi_bench *b)
{
	char err[256];
	terrain *t;
	config c;
	config_defaults(&c);
	if (terrain_load("terrains/demo.json", &t, err, sizeof err) < 0 ||
	    engine_create(48000, 128, 0, 0, &b->engine, err, sizeof err) < 0)
		die("midi", err);
	osc_init(&b->osc, b->engine, &c, t, (osc_callbacks){.send = drop_osc});
	midi_bridge_init(&b->bridge, &b->osc, &c.midi, engine_max_voices(b->engine));
	terrain_free(t);
}

/* Seconds per move of one finger already down (an MPE member's bend):
 * through MIDI (parse, MPE, mapping, the batch's flush into the
 * dispatcher as /voice/N/pitch and /voice/N/xy), or (osc) the same two
 * messages as packets from a controller. */
static double run_finger(midi_bench *b, int osc, int moves)
{
	uint8_t xy[64], pitch[64];
	midi_action a = {.address = "/voice/1/xy", .n = 2}, p = {.address = "/voice/1/pitch", .n = 1, .v = {440}};
	osc_peer peer = b->bridge.peer;
	peer.connection = 0; /* a controller on this machine, answered */
	const uint8_t down[] = {0xB0, 101, 0, 100, 6, 6, 15, 0x91, 60, 100};
	midi_bridge_begin(&b->bridge);
	midi_bridge_bytes(&b->bridge, 0, down, sizeof down, 1);
	midi_bridge_end(&b->bridge);
	double t0 = seconds();
	for (int i = 0; i < moves; i++) {
		if (osc) {
			a.v[0] = (float)(i % 100) / 100.0f;
			p.v[0] = 440.0f + (float)(i % 100);
			osc_handle_packet(&b->osc, pitch, midi_action_osc(&p, pitch, sizeof pitch), &peer);
			osc_handle_packet(&b->osc, xy, midi_action_osc(&a, xy, sizeof xy), &peer);
		} else {
			uint8_t bend[] = {0xE1, (uint8_t)(i & 0x7F), (uint8_t)(64 + (i % 8))};
			midi_bridge_begin(&b->bridge);
			midi_bridge_bytes(&b->bridge, 0, bend, sizeof bend, 1);
			midi_bridge_end(&b->bridge);
		}
		if (i % 1000 == 999)
			engine_discard_controls(b->engine);
	}
	double t = (seconds() - t0) / moves;
	engine_discard_controls(b->engine);
	return t;
}

/* Seconds per event into the inbox (JACK's process callback's part), and
 * the allocations it made. */
static double run_inbox(int events, long *allocations)
{
	midi_inbox box = {.ring = ring_create(MIDI_INBOX_CHUNKS, sizeof(midi_chunk)), .wake_fd = -1};
	const uint8_t bend[] = {0xE1, 0, 64};
	midi_chunk out[256];
	double t0 = seconds();
	alloc_count_start();
	for (int i = 0; i < events; i++) {
		midi_inbox_push(&box, 1, bend, sizeof bend, i);
		if (i % 256 == 255)
			ring_read(box.ring, out, 256); /* the network thread's side, outside the count */
	}
	*allocations = alloc_count_stop();
	double t = (seconds() - t0) / events;
	ring_free(box.ring);
	return t;
}

static void bench_midi(void)
{
	enum { MOVES = 20000 };
	midi_bench *b = calloc(1, sizeof *b);
	midi_bench_open(b);
	double midi[RUNS], osc[RUNS], ratio[RUNS], inbox[RUNS];
	long allocations = 0;
	for (int r = 0; r < RUNS; r++) {
		midi[r] = run_finger(b, 0, MOVES);
		osc[r] = run_finger(b, 1, MOVES);
		ratio[r] = midi[r] / osc[r];
		inbox[r] = run_inbox(MOVES, &allocations);
	}
	char value[96], base[96], rat[32];
	double q = median(ratio, RUNS);
	snprintf(value, sizeof value, "%.2f us a move", median(midi, RUNS) * 1e6);
	snprintf(base, sizeof base, "the same OSC %.2f us", median(osc, RUNS) * 1e6);
	snprintf(rat, sizeof rat, "%.2fx", q);
	row("midi: an MPE finger's bend to the engine's ring", value, base, rat, "<= 2.0x", q <= 2.0);
	snprintf(value, sizeof value, "%.0f ns, %ld allocations", median(inbox, RUNS) * 1e9, allocations);
	row("midi: an event into the inbox (JACK's callback)", value, "-", "-", "0 allocations", allocations == 0);
	osc_destroy(&b->osc);
	engine_free(b->engine);
	free(b);
}

static int wanted(const char *only, const char *section)
{
	return !only || strcmp(only, section) == 0;
}

int main(int argc, char **argv)
{
	const char *models_dir = argc > 1 ? argv[1] : "build/models";
	const char *only = argc > 2 && argv[2][0] ? argv[2] : NULL;
	char rave[1024];
	snprintf(rave, sizeof rave, "%s/rave_bench.ts", models_dir);
	/* The baselines call libtorch directly (linked, so loaded with this
	 * process): they must run on the kernels terraind chooses, so the bench
	 * chooses them and starts again with them in the environment. */
	if (!getenv("OPENBLAS_CORETYPE")) {
		blas_kernels_choose();
		if (getenv("OPENBLAS_CORETYPE"))
			execv("/proc/self/exe", argv);
	}
	blas_kernels_choose();
	tb_set_threads(1);
	model_set_blas_threads(1); /* one thread on both sides, BLAS included */
	model_flush_denormals();   /* as terraind's main() does, before any thread */
	model_keep_heap();
	srand(1);
	/* TERRAIND_KERNEL=avx2-fma|portable runs the rows on another variant
	 * (what a CPU without AVX-512 gets). */
	const char *forced = getenv("TERRAIND_KERNEL");
	char err[256];
	if (forced && terrain_select_kernel(forced, err, sizeof err) < 0)
		die("TERRAIND_KERNEL", err);
	print_machine();
	printf("| what | terraind | baseline (same run) | ratio (median of runs) | target | met |\n");
	printf("|---|---|---|---|---|---|\n");
	if (wanted(only, "eval")) {
		bench_eval_one("tests/fixtures/nn_terrain/percussion-terrain-demo.pt");
		bench_eval_one("tests/fixtures/nn_terrain/stable-audio-terrain-demo.pt");
		bench_eval_one("tests/fixtures/nn_terrain/m2l-demo.pt");
	}
	if (wanted(only, "plot")) {
		bench_plot("tests/fixtures/nn_terrain/percussion-terrain-demo.pt");
		bench_picture("tests/fixtures/nn_terrain/percussion-terrain-demo.pt");
	}
	if (wanted(only, "train"))
		bench_training();
	if (wanted(only, "render")) {
		bench_render_overhead("models/demo.ts", "terrains/demo.json");
		bench_render_overhead(rave, NULL);
	}
	if (wanted(only, "voices"))
		bench_voices(rave);
	if (wanted(only, "threads"))
		bench_two_threads(rave);
	if (wanted(only, "instruments"))
		bench_model_decode("models/instruments.ts");
	if (wanted(only, "live"))
		bench_live();
	if (wanted(only, "grains"))
		bench_grains(rave);
	if (wanted(only, "subframe"))
		bench_subframe(rave);
	if (wanted(only, "midi"))
		bench_midi();
	return 0;
}
