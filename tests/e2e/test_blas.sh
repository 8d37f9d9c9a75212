#!/bin/sh
# The BLAS kernels libtorch runs on (blas_kernels.h): chosen from the CPU's
# features before libtorch loads, an OPENBLAS_CORETYPE set by hand kept, a
# failed self-check starting the command again on the next safer kernels;
# and libtorch loaded only when a model is needed.
. tests/e2e/lib.sh

echo "the kernels follow the CPU's features, and OpenBLAS runs the ones chosen"
expect_status 0 "$TERRAIND" info models/demo.ts
line=$(grep '^BLAS:' "$TMP/out")
kernel=$(echo "$line" | sed -n 's/.*, kernels \([A-Za-z0-9]*\) (.*/\1/p')
[ -n "$kernel" ] || fail "info names no kernels: $line"
echo "$line" | grep -q "NO_AFFINITY $kernel " || fail "OpenBLAS does not run the $kernel kernels: $line"
case "$line" in
*"chosen from the CPU's features"*) ;;
*) fail "the kernels were not chosen from the CPU's features: $line" ;;
esac
if grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
	case "$kernel" in SkylakeX | Cooperlake) ;; *) fail "an AVX-512 CPU got the $kernel kernels" ;; esac
elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
	[ "$kernel" = Haswell ] || fail "an AVX2 CPU got the $kernel kernels"
fi
echo "  ok: $kernel"

echo "an OPENBLAS_CORETYPE set by hand is kept"
OPENBLAS_CORETYPE=Nehalem expect_status 0 "$TERRAIND" info models/demo.ts
expect_in "$TMP/out" "NO_AFFINITY Nehalem MAX_THREADS"
expect_in "$TMP/out" "kernels Nehalem (OPENBLAS_CORETYPE=Nehalem set in the environment: kept)"
echo "  ok"

echo "kernels that fail the self-check: the command starts again on the next safer ones"
safer=$(case "$kernel" in Cooperlake) echo SkylakeX ;; SkylakeX) echo Haswell ;; Haswell) echo Sandybridge ;;
	Sandybridge) echo Nehalem ;; *) echo Prescott ;; esac)
TERRAIND_FAULT_BLAS_CHECK=$kernel expect_status 0 "$TERRAIND" info models/demo.ts
expect_in "$TMP/err" "the BLAS kernels $kernel give wrong results: made to fail by TERRAIND_FAULT_BLAS_CHECK"
expect_in "$TMP/err" "starting again on the $safer kernels"
expect_in "$TMP/out" "kernels $safer ($kernel failed the start-up self-check"
echo "  ok: $kernel -> $safer"

echo "another BLAS behind libblas.so.3 (BLIS) is named as such, not as the OpenBLAS LAPACK loads"
blis=/usr/lib/x86_64-linux-gnu/blis-pthread
if [ -e "$blis/libblas.so.3" ]; then
	LD_LIBRARY_PATH=$blis expect_status 0 "$TERRAIND" info models/demo.ts
	expect_in "$TMP/out" "$blis/libblas.so.3 (BLIS)"
	grep '^BLAS:' "$TMP/out" | grep -q "OpenBLAS" && fail "BLIS described as OpenBLAS: $(grep '^BLAS:' "$TMP/out")"
	echo "  ok"
else
	skip_part blis "libblis4-pthread is not installed (docs/performance.md compares it with OpenBLAS)"
fi

echo "libtorch is loaded only when a model is needed"
TERRAIND_TORCH_BACKEND=/nonexistent/libterraind-torch.so expect_status 0 "$TERRAIND" --help
printf '0 0\n' | TERRAIND_TORCH_BACKEND=/nonexistent/libterraind-torch.so "$TERRAIND" eval terrains/demo.json \
	>"$TMP/eval" 2>"$TMP/err" || fail "eval needs no libtorch: $(cat "$TMP/err")"
[ "$(wc -w <"$TMP/eval")" -eq 4 ] || fail "eval printed $(cat "$TMP/eval")"
TERRAIND_TORCH_BACKEND=/nonexistent/libterraind-torch.so expect_status 1 "$TERRAIND" info models/demo.ts
expect_in "$TMP/err" "cannot load libtorch through libterraind-torch.so"
echo "  ok: --help and eval run without it; a model says what is missing"
echo "ok"
