#!/bin/sh
# Runs the unit test binaries given as arguments, then every end-to-end test
# in tests/e2e/, and ends with one summary line, always the last line:
#
#   N passed, N failed, N skipped
#
# A test that cannot run here (a missing tool, a sanitizer build) exits 77,
# the automake convention for "skipped", with the reason as the first line
# of its output. A skip is not a pass: unless the test is named in
# TERRAIND_EXPECTED_SKIPS (space-separated names or shell patterns, e.g.
# "test_rt_safety test_terrain_portable/*"), it makes the run fail, so a
# machine without a dependency cannot report green. A passing test may skip
# a part that cannot run here (cmocka's skip(), the end-to-end tests'
# skip_part): each part counts as a skip named TEST/PART, with its reason,
# under the same rule. Exit status 0 only if nothing failed and every skip
# was expected.
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

# A name in TERRAIND_EXPECTED_SKIPS, or one of its shell patterns
# ("test_terrain_portable/*").
expected_skip() { # name
	set -f # the patterns are matched against names, never expanded as file names
	for pattern in ${TERRAIND_EXPECTED_SKIPS:-}; do
		# shellcheck disable=SC2254
		case "$1" in
		$pattern)
			set +f
			return 0
			;;
		esac
	done
	set +f
	return 1
}

count_skip() { # name reason
	skipped=$((skipped + 1))
	if expected_skip "$1"; then
		verdict="expected"
	else
		verdict="NOT EXPECTED"
		unexpected_skips="$unexpected_skips $1"
	fi
	printf '  skip  %-32s (%s) %s\n' "$1" "$verdict" "$2"
}

# Parts of a passing test that could not run here: cmocka's skip() lines
# ("[  SKIPPED ] case") and the end-to-end tests' skip_part lines
# ("SKIPPED-PART: what: why"), each a skip named TEST/PART.
count_partial_skips() { # name log
	# (cmocka lists skipped cases again after its summary line: read up to it)
	sed -n '/^\[==========\] .* run\./q; s/^\[  SKIPPED \] \(.*\)$/\1/p' "$2" | while read -r case_name; do
		reason=$(grep -B3 "^\[  SKIPPED \] $case_name" "$2" | sed -n 's/^skipped: //p' | tail -1)
		echo "$1/$case_name|${reason:-skipped by the test}"
	done
	sed -n 's/^SKIPPED-PART: \([^:]*\): \(.*\)$/\1|\2/p' "$2" | sed "s|^|$1/|"
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
		parts=$(count_partial_skips "$name" "$log")
		while IFS='|' read -r part reason; do
			[ -n "$part" ] && count_skip "$part" "$reason"
		done <<EOF_PARTS
$parts
EOF_PARTS
	elif [ "$status" -eq "$SKIPPED_STATUS" ]; then
		count_skip "$name" "$(head -n 1 "$log")"
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
