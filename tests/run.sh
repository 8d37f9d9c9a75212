#!/bin/sh
# Runs the unit test binaries given as arguments, then every end-to-end test
# in tests/e2e/, and ends with one summary line. Exit status 0 only if all
# passed. Run from the repository root (make test does).
BUILD=${BUILD:-build}
export BUILD
passed=0
failed=0
failures=""
log_dir="$BUILD/test-logs"
mkdir -p "$log_dir"

run_one() { # name, command...
	name=$1
	shift
	start=$(date +%s)
	if "$@" >"$log_dir/$name.log" 2>&1; then
		passed=$((passed + 1))
		printf '  pass  %-32s %3ss\n' "$name" "$(($(date +%s) - start))"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf '  FAIL  %-32s (log: %s)\n' "$name" "$log_dir/$name.log"
		tail -n 25 "$log_dir/$name.log" | sed 's/^/        | /'
	fi
}

echo "unit tests (cmocka):"
for bin in "$@"; do
	run_one "$(basename "$bin")" "$bin"
done

echo "end-to-end tests:"
for t in tests/e2e/test_*.sh; do
	[ -e "$t" ] || continue
	run_one "$(basename "$t" .sh)" sh "$t"
done

total=$((passed + failed))
if [ "$failed" -eq 0 ]; then
	echo "ALL TESTS PASSED: $passed of $total test programs"
	exit 0
fi
echo "TESTS FAILED: $failed of $total test programs failed:$failures"
exit 1
