#!/bin/sh
# Installs the Debian packages terraind needs, when missing (idempotent).
# Called by `make deps`, and so by `make run` and `make test`.
set -eu

PACKAGES="build-essential g++ pkg-config libtorch-dev python3-torch python3-numpy \
libopenblas0-pthread liblo-dev liblo-tools python3-liblo portaudio19-dev jackd2 \
libcjson-dev libsndfile1-dev libsamplerate0-dev libcmocka-dev libpng-dev clang libclang-rt-14-dev supercollider-language \
puredata-core espeak-ng libwebsockets-dev chromium chromium-driver python3-selenium ableton-link-dev \
iproute2 util-linux fluidsynth fluid-soundfont-gm python3-jack-client alsa-utils libjack-jackd2-dev libasound2-dev \
jacktrip debhelper fakeroot lintian libblis4-pthread"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "terraind: installing Debian packages:$missing"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO="sudo"
		else
			echo "terraind: missing packages:$missing; run this as root or install sudo" >&2
			exit 1
		fi
	fi
	# jackd2 asks whether to enable real-time priority: answer for it.
	echo "jackd2 jackd/tweak_rt_limits boolean true" | $SUDO debconf-set-selections 2>/dev/null || true
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# libtorch calls whichever libblas.so.3 the alternatives system selects; the
# reference BLAS is 15x slower than OpenBLAS for the decoders. BLIS is
# installed for test_blas.sh and the comparison in docs/performance.md, not
# selected: OpenBLAS with the kernels terraind picks is as fast or faster on
# both CPUs measured (1.6x on an Intel Xeon with AVX-512).
alt="libblas.so.3-$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
current=$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p')
case "$current" in
*openblas*) ;;
*)
	best=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas | head -n 1 || true)
	if [ -n "$best" ]; then
		echo "terraind: selecting OpenBLAS ($best) for libtorch"
		${SUDO:-} update-alternatives --set "$alt" "$best" >/dev/null 2>&1 ||
			sudo update-alternatives --set "$alt" "$best"
	fi
	;;
esac
