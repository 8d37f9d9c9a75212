# terraind — build, test and run.
#
#   make            build build/terraind
#   make run        install missing packages, build, start the daemon on the demo model and terrain
#   make test       install missing packages, build, run every test (unit + end-to-end)
#   make asan       the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan       the test suite under ThreadSanitizer
#   make bench      speed figures, as ratios against baselines in the same run
#   make fuzz       libFuzzer targets (OSC, OSC sessions, TCP framing, terrain, config, gesture, MIDI), FUZZ_SECONDS each
#   make soak       60 s OSC flood and 30 min playback with reloads (SOAK_SECONDS)
#   make speech     rebuild the corpus-trained model and terrain (espeak-ng corpus, a few minutes)
#   make instruments rebuild the instrument model and terrain (fluidsynth corpus, about 30 minutes)
#   make deps       install the Debian packages terraind needs (idempotent)
#   make format     clang-format every source file
#   make install    install under PREFIX (default /usr/local), into DESTDIR if set; make uninstall
#   make deb        build terraind_<version>_<arch>.deb with debhelper into build/deb, check it with lintian
#
# WERROR=1 turns warnings into errors (CI sets it).

BUILD    ?= build
CC       ?= gcc
CXX      ?= g++
PYTHON   := /usr/bin/python3
PKGS     := liblo portaudio-2.0 libcjson sndfile samplerate libpng libwebsockets jack alsa
SAN      ?=

WARN     := -Wall -Wextra $(if $(WERROR),-Werror)
CPPFLAGS += -Iinclude -D_GNU_SOURCE
OPT      ?= -O2 -g
CFLAGS   += $(OPT) -std=c11 -fopenmp-simd $(WARN) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CXXFLAGS += $(OPT) -std=c++17 $(WARN) $(SAN) -I/usr/include/torch
LDFLAGS  += $(SAN)
# -latomic: Link's lock-free checks (std::atomic of a pair) call
# __atomic_is_lock_free, which clang (the fuzz build) leaves to libatomic.
# libtorch is not linked: torch_loader.c opens $(TORCH_LIB) (which is) the
# first time a model is needed, after choosing the BLAS kernels.
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lpthread -lm -latomic
TORCH_LIBS := -ltorch -ltorch_cpu -lc10
TORCH_LIB  := $(BUILD)/libterraind-torch.so

# Every module (each src/*/*.c but main.c) goes into the library the tests link against.
MODULES  := $(filter-out main,$(basename $(notdir $(wildcard src/*/*.c))))
OBJS     := $(MODULES:%=$(BUILD)/obj/%.o) $(BUILD)/obj/tempo_link.o
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
# The terrain kernels' portable variant, tested with the same cases.
PORTABLE_TEST ?= $(BUILD)/tests/test_terrain_portable
TEST_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/%) $(PORTABLE_TEST)
TEST_MODELS_STAMP := $(BUILD)/models/.stamp

.PHONY: all deps run test unit e2e asan tsan bench fuzz fuzz-build soak soak-stage speech instruments format clean test-models \
        install install-files uninstall deb FORCE

# One version for everything (terraind --version, /status, the web page,
# the man page and the package): the VERSION file, read here only.
VERSION  := $(shell cat VERSION)
# Where `make install` puts things. /usr's configuration lives in /etc (the
# FHS), any other prefix's in <prefix>/etc; install_dirs.c follows the same
# rule, from where the binary lies, so a DESTDIR copy finds its own files.
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      := $(PREFIX)/bin
LIBDIR      := $(PREFIX)/lib/terraind
DATADIR     := $(PREFIX)/share/terraind
DOCDIR      := $(PREFIX)/share/doc/terraind
MANDIR      := $(PREFIX)/share/man
SYSCONFDIR  := $(if $(filter %/usr,$(PREFIX)),$(patsubst %/usr,%,$(PREFIX))/etc,$(PREFIX)/etc)
UNITDIR     := $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
USERUNITDIR := $(PREFIX)/lib/systemd/user
SYSUSERSDIR := $(PREFIX)/lib/sysusers.d

all: $(BUILD)/terraind $(TORCH_LIB)

deps:
	@sh scripts/install-deps.sh

# The sources are grouped by concern in src/*/ (src/README.md); objects
# keep flat names, the modules' own.
SRC_DIRS := $(sort $(dir $(wildcard src/*/*.c src/*/*.cpp)))
vpath %.c $(SRC_DIRS)
vpath %.cpp $(SRC_DIRS)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h src/*/*.h) | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The version and the prefix are compiled into one object each; a file
# holding their values, rewritten only when they change, rebuilds them
# (checked whenever they are built; install-files builds nothing).
BUILD_VARS := $(BUILD)/build-vars
$(BUILD_VARS): FORCE | $(BUILD)/obj
	@echo '$(VERSION) $(PREFIX)' | cmp -s - $@ || echo '$(VERSION) $(PREFIX)' >$@
FORCE:
$(BUILD)/obj/version.o $(BUILD)/obj/install_dirs.o: $(BUILD_VARS)
$(BUILD)/obj/version.o: CPPFLAGS += -DTERRAIND_VERSION='"$(VERSION)"'
$(BUILD)/obj/install_dirs.o: CPPFLAGS += -DTERRAIND_PREFIX='"$(PREFIX)"'

# ISO C modes compile a*b+c as two roundings; the terrain's kernels want
# fused multiply-adds (twice the arithmetic per cycle, one rounding).
TERRAIN_CFLAGS := -ffp-contract=fast
$(BUILD)/obj/terrain.o $(BUILD)/obj/terrain_preview.o: CFLAGS += $(TERRAIN_CFLAGS)

# The libtorch backend: a shared object of its own, slow to compile
# (libtorch's headers), exporting one symbol (terraind_torch_api); the
# binaries find it beside them, or one folder up (tests, bench).
$(TORCH_LIB): src/model/torch_backend.cpp include/torch_backend.h | $(BUILD)/obj
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -fPIC -fvisibility=hidden -shared $< -o $@ $(LDFLAGS) $(TORCH_LIBS)

$(BUILD)/terraind: $(BUILD)/obj/main.o $(OBJS) | $(TORCH_LIB)
	$(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) tests/alloc_interpose.h $(OBJS) | $(BUILD)/tests $(TORCH_LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -c $< -o $@.o
	$(CXX) $(LDFLAGS) $@.o $(OBJS) -o $@ $(LDLIBS) $(shell pkg-config --libs cmocka)

# Ableton Link (header-only, C++): its own rule too. Its asio uses
# atomic_thread_fence, which GCC warns ThreadSanitizer cannot see (-Wtsan).
$(BUILD)/obj/tempo_link.o: src/engine/tempo_link.cpp include/tempo_link.h | $(BUILD)/obj
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(if $(findstring thread,$(SAN)),-Wno-tsan) -DLINK_PLATFORM_LINUX=1 -c $< -o $@

# The terrain's portable kernels (what ARM and other compilers get) are
# tested on every machine: test_terrain again, linked with a terrain.c built
# without the vector clones.
$(BUILD)/obj/terrain_portable.o: src/model/terrain.c $(wildcard include/*.h) | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TERRAIN_CFLAGS) -DTERRAIN_PORTABLE -c $< -o $@

$(BUILD)/tests/test_terrain_portable: $(BUILD)/tests/test_terrain $(BUILD)/obj/terrain_portable.o | $(TORCH_LIB)
	$(CXX) $(LDFLAGS) $<.o $(BUILD)/obj/terrain_portable.o $(filter-out $(BUILD)/obj/terrain.o,$(OBJS)) -o $@ \
		$(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

$(TEST_MODELS_STAMP): scripts/make_test_models.py scripts/nn_tilde_conventions.py scripts/make_upstream_models.py \
                      $(wildcard scripts/upstream/*.py scripts/upstream/*/*.py)
	$(PYTHON) scripts/make_test_models.py $(BUILD)/models
	$(PYTHON) scripts/make_upstream_models.py $(BUILD)/models/upstream
	touch $@

test-models: $(TEST_MODELS_STAMP)

run: deps
	$(MAKE) all
	$(BUILD)/terraind serve --config config/terraind.json

# `make test` = every unit test, then the end-to-end tests, then one summary
# line, "N passed, N failed, N skipped". A skipped test fails the run unless
# it is named in TERRAIND_EXPECTED_SKIPS (tests/run.sh): with every package
# installed (make deps), nothing is skipped.
TERRAIND_EXPECTED_SKIPS ?=
# Parts of tests that cannot run on this build or CPU (tests/run.sh counts
# each as a skip): the portable terrain build has no vector kernels by
# design; a CPU without AVX-512 or AVX2+FMA cannot run those kernels, one
# without AVX512_BF16 has no bfloat16 picture.
KERNEL_SKIPS := test_terrain_portable/* \
	$(if $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo y),,test_terrain/avx512_kernels_match_the_reference) \
	$(if $(shell grep -qw fma /proc/cpuinfo 2>/dev/null && echo y),,test_terrain/avx2_kernels_match_the_reference) \
	$(if $(shell grep -qw avx512_bf16 /proc/cpuinfo 2>/dev/null && echo y),,test_terrain_preview/bf16_pictures_where_the_cpu_has_it)
# The ALSA sequencer's MIDI test runs wherever /dev/snd/seq exists.
MIDI_SKIPS := $(if $(wildcard /dev/snd/seq),,test_midi_alsa)
test: deps
	$(MAKE) all $(TEST_BINS) test-models
	@mkdir -p build/tests # the unit tests' scratch files, whichever build runs them
	@BUILD=$(BUILD) TSAN_OPTIONS="$(TSAN_OPTIONS)" TERRAIND_SANITIZER="$(SAN)" \
		TERRAIND_EXPECTED_SKIPS="$(KERNEL_SKIPS) $(MIDI_SKIPS) $(TERRAIND_EXPECTED_SKIPS)" sh tests/run.sh $(TEST_BINS)

# Sanitizer builds in their own directories, same tests. test_rt_safety is
# skipped there by design: it finds allocations on the audio path by
# interposing malloc and free itself, and ASan and TSan interpose the same
# functions (it runs, and must pass, in the normal build). test_instruments
# is libtorch's decoding and Python's training (uninstrumented); test_web
# plays the same model and terrain under the sanitizers.
SANITIZER_SKIPS := test_rt_safety test_upstream_models test_instruments
# ... and the parts that judge real time, which a sanitizer build does not
# keep (docs/robustness.md): allocation counting (the sanitizer interposes
# malloc), recordings with underrun gaps, latency and xrun claims.
SANITIZER_SKIPS += test_grains/the_grain_path_never_allocates test_daemon/* test_voices/recording \
	test_subframe/recording* test_subframe/latency test_web/training test_overload/realtime test_looper/circle-period \
	test_terrain_json/swapping_large_terrains_leaves_the_heap_as_it_was
asan:
	LSAN_OPTIONS="use_tls=0 suppressions=$(CURDIR)/tests/lsan.supp" \
	$(MAKE) test BUILD=build/asan SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" OPT="-O1 -g" \
		TERRAIND_EXPECTED_SKIPS="$(SANITIZER_SKIPS) $(TERRAIND_EXPECTED_SKIPS)"

# ThreadSanitizer: libtorch and OpenBLAS are not instrumented, so their
# internal threads are outside its view (tests/tsan.supp says which).
# TSan finds races between threads, so it runs the unit tests that start
# threads (the engine's render thread, the OSC and web servers, the ring's
# two sides) and every daemon test; the other unit tests and the offline
# commands' tests run one thread, nothing for it to see, at several times
# the run time (skip_under_tsan in tests/e2e/lib.sh). ASan and the normal
# build run them all.
THREADED_UNIT_TESTS := test_engine test_net test_osc test_ring test_subframe test_web test_render_worker test_audio_patch \
                       test_decode_parts
TSAN_SKIPS := test_cli test_corpus
tsan:
	@echo "ThreadSanitizer runs the unit tests that start threads ($(THREADED_UNIT_TESTS)); the other unit tests are single-threaded"
	$(MAKE) test BUILD=build/tsan SAN="-fsanitize=thread" OPT="-O1 -g" \
		UNIT_TESTS="$(THREADED_UNIT_TESTS)" PORTABLE_TEST= \
		TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" \
		TERRAIND_EXPECTED_SKIPS="$(SANITIZER_SKIPS) $(TSAN_SKIPS) $(TERRAIND_EXPECTED_SKIPS)"

# Speed, as ratios against baselines measured in the same run (docs/performance.md).
# ONLY=eval|plot|train|render|voices|threads|instruments|live|grains|subframe|midi runs one part of the table.
$(BUILD)/bench/terraind-bench: tests/bench/bench.c tests/bench/alloc_count.h tests/alloc_interpose.h \
                                tests/bench/bench_torch.h $(BUILD)/bench/bench_torch.o $(OBJS) | $(TORCH_LIB)
	mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/bench -c $< -o $@.o
	$(CXX) $(LDFLAGS) $@.o $(BUILD)/bench/bench_torch.o $(OBJS) -o $@ $(LDLIBS) $(TORCH_LIBS)

# The bench's libtorch baselines written with the C++ frontend (torch::nn,
# torch::optim): its headers are system headers here (they warn under -Wextra).
$(BUILD)/bench/bench_torch.o: tests/bench/bench_torch.cpp tests/bench/bench_torch.h
	mkdir -p $(BUILD)/bench
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -isystem /usr/include/torch/csrc/api/include -isystem /usr/include/torch \
		-Itests/bench -c $< -o $@

bench: deps
	$(MAKE) $(BUILD)/bench/terraind-bench test-models
	$(BUILD)/bench/terraind-bench $(BUILD)/models $(ONLY)

# libFuzzer targets (clang), coverage-instrumented build of every module.
FUZZ_TARGETS := osc osc_session osc_stream terrain_json config gesture midi
FUZZ_SECONDS ?= 10

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(OBJS) | $(TORCH_LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@.o
	$(CXX) -fsanitize=fuzzer,address,undefined $@.o $(OBJS) -o $@ $(LDLIBS)

fuzz-build:
	$(MAKE) $(FUZZ_TARGETS:%=build/fuzz/fuzz_%) BUILD=build/fuzz CC=clang CXX=clang++ OPT="-O1 -g" WERROR= \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"

fuzz: deps
	$(MAKE) fuzz-build
	FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The corpus-trained neural model and its terrain (committed; minutes to
# rebuild): espeak-ng corpus -> models/speech.ts -> dataset -> terrains/speech.json.
speech: deps
	$(MAKE) all
	sh scripts/make_corpus.sh $(BUILD)/corpus
	$(PYTHON) scripts/train_speech_model.py $(BUILD)/corpus -o models/speech.ts
	$(BUILD)/terraind encode --model models/speech.ts $(BUILD)/corpus/*.wav -o $(BUILD)/speech-dataset.json
	$(BUILD)/terraind train $(BUILD)/speech-dataset.json --epochs 100 -o terrains/speech.json
	$(BUILD)/terraind plot terrains/speech.json -o $(BUILD)/speech.png --rgb 0,1,2 --dataset $(BUILD)/speech-dataset.json

# The default model and terrain (committed; about 30 minutes to rebuild on
# two cores): real instruments (FluidR3 through fluidsynth) -> models/instruments.ts
# (harmonic-plus-noise autoencoder) -> dataset -> terrains/instruments.json,
# laid out by the timbre latents (z2-z7) with each instrument's place as a
# label; then the model's reconstruction figures against the demo model's.
INSTRUMENT_LAYOUT := --layout-latents 2,3,4,5,6,7
instruments: deps
	$(MAKE) all
	$(PYTHON) scripts/make_instrument_corpus.py $(BUILD)/instruments
	$(PYTHON) scripts/train_instrument_model.py $(BUILD)/instruments -o models/instruments.ts
	$(BUILD)/terraind encode --model models/instruments.ts $(BUILD)/instruments/*.wav -o $(BUILD)/instruments-dataset.json
	$(BUILD)/terraind train $(BUILD)/instruments-dataset.json $(INSTRUMENT_LAYOUT) --labels --epochs 30 \
		-o terrains/instruments.json
	$(BUILD)/terraind plot terrains/instruments.json -o $(BUILD)/instruments.png --rgb 2,3,4 \
		--dataset $(BUILD)/instruments-dataset.json $(INSTRUMENT_LAYOUT)
	$(PYTHON) scripts/check_instrument_model.py $(BUILD)/instruments --compare models/demo.ts --markdown

# Long robustness runs (minutes): 60 s OSC flood, 30 min soak with reloads.
soak: deps
	$(MAKE) all
	BUILD=$(BUILD) sh tests/e2e/soak.sh

# A performer's whole load for 30 minutes: voices, a loop, grains, swaps
# (MODEL=..., SOAK_SECONDS=...; docs/robustness.md).
soak-stage: deps
	$(MAKE) all test-models
	BUILD=$(BUILD) MODEL="$(MODEL)" sh tests/e2e/stage_soak.sh

# ---- installing ---------------------------------------------------------------
EXAMPLES := scripts/puredata/terraind.pd scripts/supercollider/terraind.scd config/touchosc-portrait.json \
            config/terraind.touchosc
DOCS     := README.md $(wildcard docs/*.md docs/*.png)
UNITS    := $(DESTDIR)$(UNITDIR)/terraind.service $(DESTDIR)$(USERUNITDIR)/terraind.service
ETC      := $(DESTDIR)$(SYSCONFDIR)/terraind

# Everything a player needs without the clone: the binary, its libtorch
# backend (lib/terraind/, where torch_loader.c looks) and its client,
# the bundled models and terrains, the web page, the examples, the man page
# and docs, the default configuration and the systemd units. An existing
# configuration is kept (it may be edited), and said so. install builds
# first; install-files installs what is built (a sanitizer build's too).
install: all
	@$(MAKE) --no-print-directory install-files

install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/terrains \
		$(DESTDIR)$(DATADIR)/web $(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
		$(ETC) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(BUILD)/terraind $(DESTDIR)$(BINDIR)/terraind
	install -m 644 $(TORCH_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 scripts/terraind_client.py $(DESTDIR)$(BINDIR)/terraind-client
	install -m 644 models/*.ts $(DESTDIR)$(DATADIR)/models/
	install -m 644 terrains/*.json $(DESTDIR)$(DATADIR)/terrains/
	install -m 644 web/* $(DESTDIR)$(DATADIR)/web/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DATADIR)/examples/
	install -m 644 docs/terraind.1 docs/terraind-client.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 644 config/systemd/terraind.sysusers $(DESTDIR)$(SYSUSERSDIR)/terraind.conf
	sed 's|@BINDIR@|$(BINDIR)|g' config/systemd/terraind.service.in >$(DESTDIR)$(UNITDIR)/terraind.service
	sed 's|@BINDIR@|$(BINDIR)|g' config/systemd/terraind-user.service.in >$(DESTDIR)$(USERUNITDIR)/terraind.service
	chmod 644 $(UNITS)
	@if [ -e $(ETC)/terraind.json ] && ! cmp -s config/terraind.json $(ETC)/terraind.json; then \
		echo "kept your $(ETC)/terraind.json (the new default: config/terraind.json)"; \
	else install -m 644 config/terraind.json $(ETC)/terraind.json; fi
	@echo "installed terraind $(VERSION) under $(DESTDIR)$(PREFIX): try 'terraind info'"

# Removes what install put there; a configuration that was edited is kept.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/terraind $(DESTDIR)$(BINDIR)/terraind-client $(UNITS) \
		$(DESTDIR)$(LIBDIR)/$(notdir $(TORCH_LIB)) \
		$(DESTDIR)$(MANDIR)/man1/terraind.1 $(DESTDIR)$(MANDIR)/man1/terraind-client.1 \
		$(DESTDIR)$(SYSUSERSDIR)/terraind.conf \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(wildcard models/*.ts terrains/*.json web/*)) \
		$(addprefix $(DESTDIR)$(DATADIR)/examples/,$(notdir $(EXAMPLES))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	@if cmp -s config/terraind.json $(ETC)/terraind.json; then rm -f $(ETC)/terraind.json; \
	elif [ -e $(ETC)/terraind.json ]; then echo "kept $(ETC)/terraind.json (edited)"; fi
	-rmdir $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR)/terrains $(DESTDIR)$(DATADIR)/web \
		$(DESTDIR)$(DATADIR)/examples $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(ETC) 2>/dev/null

# The Debian package (debian/, debhelper): built in build/deb-build with
# Debian's flags for PREFIX=/usr, written to build/deb/, then lintian,
# which must report no errors. Needs no network: only the build
# dependencies, which dpkg-checkbuilddeps names when one is missing.
# What debian/rules leaves in debian/: removed before each package build
# (debhelper's stamp would skip the build and package a stale binary; the
# objects in build/deb-build stay, and make rebuilds what changed).
DEB_LEFTOVERS := debian/terraind debian/.debhelper debian/files debian/debhelper-build-stamp \
                 debian/*.debhelper debian/*.debhelper.log debian/*.substvars
deb:
	rm -rf $(DEB_LEFTOVERS)
	@test "$$(dpkg-parsechangelog -S Version)" = "$(VERSION)" || \
		{ echo "debian/changelog is at $$(dpkg-parsechangelog -S Version), VERSION at $(VERSION): add a changelog entry (dch -v $(VERSION))"; exit 1; }
	dpkg-checkbuilddeps
	DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS parallel=$$(nproc)" debian/rules build # yours first: it wins
	fakeroot debian/rules binary
	lintian --fail-on error \
		build/deb/terraind_$(VERSION)_$$(dpkg-architecture -qDEB_HOST_ARCH).deb
	@echo "built build/deb/terraind_$(VERSION)_$$(dpkg-architecture -qDEB_HOST_ARCH).deb"

format:
	clang-format -i src/*/*.c src/*/*.cpp src/*/*.h include/*.h tests/unit/*.c tests/unit/*.h tests/*.h tests/bench/*.c tests/bench/*.h \
		tests/fuzz/*.c

clean:
	rm -rf build $(DEB_LEFTOVERS)
