#!/bin/sh
# Runs the unit test binaries given as arguments, then every end-to-end test
# in tests/e2e/, and ends with one summary line, always the last line:
#
#   N passed, N failed, N skipped
#
# A test that cannot run here (a missing tool, a sanitizer build) exits 77,
# the automake convention for "skipped", with the reason as the first line
# of its output. A skip is not a pass: unless the test is named in
# TERRAIND_EXPECTED_SKIPS (space-separated names, e.g. "test_rt_safety"),
# it makes the run fail, so a machine without a dependency cannot report
# green. Exit status 0 only if nothing failed and every skip was expected.
# Run from the repository root (make test does).
BUILD=${BUILD:-build}
export BUILD
SKIPPED_STATUS=77
passed=0
failed=0
skipped=0
failures=""
unexpected_skips=""
log_dir="$BUILD/test-logs"
mkdir -p "$log_dir"

expected_skip() { # name
	case " ${TERRAIND_EXPECTED_SKIPS:-} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

run_one() { # name, command...
	name=$1
	shift
	log="$log_dir/$name.log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	if [ "$status" -eq 0 ]; then
		passed=$((passed + 1))
		printf '  pass  %-32s %3ss\n' "$name" "$(($(date +%s) - start))"
	elif [ "$status" -eq "$SKIPPED_STATUS" ]; then
		skipped=$((skipped + 1))
		if expected_skip "$name"; then
			verdict="expected"
		else
			verdict="NOT EXPECTED"
			unexpected_skips="$unexpected_skips $name"
		fi
		printf '  skip  %-32s (%s) %s\n' "$name" "$verdict" "$(head -n 1 "$log")"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf '  FAIL  %-32s (exit %s, log: %s)\n' "$name" "$status" "$log"
		tail -n 25 "$log" | sed 's/^/        | /'
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

status=0
if [ -n "$failures" ]; then
	echo "failed:$failures"
	status=1
fi
if [ -n "$unexpected_skips" ]; then
	echo "skipped but not in TERRAIND_EXPECTED_SKIPS (install what they need, or list them):$unexpected_skips"
	status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
