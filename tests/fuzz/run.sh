#!/bin/sh
# Runs each libFuzzer target for SECONDS (default 10) on a corpus seeded by
# make_seeds.py. Exit status 1 if any target finds a crash, a leak or
# undefined behaviour (the crashing input is kept in build/fuzz/).
SECONDS_EACH=${1:-10}
DIR=build/fuzz
status=0
/usr/bin/python3 tests/fuzz/make_seeds.py "$DIR/seeds" || exit 1
for target in ${FUZZ_TARGETS:-osc osc_session osc_stream terrain_json config gesture midi}; do
	corpus="$DIR/corpus/$target"
	mkdir -p "$corpus"
	cp -n "$DIR/seeds/$target"/* "$corpus"/ 2>/dev/null
	log="$DIR/fuzz_$target.log"
	# The OSC fuzzers load the demo model, and libtorch with it (dlopen):
	# LeakSanitizer scans no TLS there (tests/lsan.supp says why).
	LSAN_OPTIONS="use_tls=0 suppressions=$PWD/tests/lsan.supp" UBSAN_OPTIONS=halt_on_error=1 \
		"$DIR/fuzz_$target" "$corpus" -max_total_time="$SECONDS_EACH" -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$DIR/crash-$target-" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "  fuzz_$target: ${runs:-?} executions in ${SECONDS_EACH} s, no crash"
	else
		echo "  fuzz_$target: FAILED after ${runs:-?} executions (log: $log)"
		grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5 | sed 's/^/    /'
		status=1
	fi
done
exit $status
