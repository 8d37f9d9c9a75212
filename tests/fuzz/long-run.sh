#!/bin/sh
# The documented long fuzz run (docs/robustness.md): at least 10 M executions
# of the OSC target and 1 M of each loader. Run after `make fuzz-build`.
DIR=build/fuzz
/usr/bin/python3 tests/fuzz/make_seeds.py "$DIR/seeds" || exit 1
run() { # target runs
	mkdir -p "$DIR/corpus/$1"
	cp -n "$DIR/seeds/$1"/* "$DIR/corpus/$1"/ 2>/dev/null
	UBSAN_OPTIONS=halt_on_error=1 "$DIR/fuzz_$1" "$DIR/corpus/$1" -runs="$2" -max_len="${3:-65536}" -print_final_stats=1 \
		-artifact_prefix="$DIR/crash-$1-" >"$DIR/long_$1.log" 2>&1
	echo "fuzz_$1: exit $?, $(sed -n 's/^stat::number_of_executed_units: *//p' "$DIR/long_$1.log") executions, $(sed -n 's/^stat::peak_rss_mb: *//p' "$DIR/long_$1.log") MB peak"
}
run osc 10000000 4096
run terrain_json 1000000
run config 1000000
run gesture 1000000
