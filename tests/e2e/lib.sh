# Shared helpers for the end-to-end tests (sourced). Each test runs the real
# build/terraind binary from the repository root.
BUILD=${BUILD:-build}
TERRAIND="$BUILD/terraind"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/terraind-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# No test reads the user's configuration or writes into a home: the daemon
# searches $XDG_CONFIG_HOME/terraind first and keeps the user's own files
# under $XDG_DATA_HOME/terraind (include/config_locate.h).
XDG_CONFIG_HOME="$TMP/xdg-config"
XDG_DATA_HOME="$TMP/xdg-data"
export XDG_CONFIG_HOME XDG_DATA_HOME
PY=/usr/bin/python3
# Sanitizer builds (make asan / make tsan) run 5 to 20 times slower: time
# limits stretch by SLOW, and real-time checks (0 xruns) apply to the
# normal build only.
SLOW=1
[ -n "${TERRAIND_SANITIZER:-}" ] && SLOW=10
# engine.shed_voices for a daemon playing several voices: sanitizer builds
# decode 5 to 20 times slower than real time, where voices would be shed
# as overload; they keep them all.
SHED_VOICES=true
[ -n "${TERRAIND_SANITIZER:-}" ] && SHED_VOICES=false

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_status STATUS COMMAND... : runs it, output in $TMP/out and $TMP/err.
expect_status() {
	want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $(cat "$TMP/err")"
}

# expect_in FILE TEXT : the file contains the text.
expect_in() {
	grep -qF -- "$2" "$1" || fail "expected '$2' in $1, got: $(head -c 2000 "$1")"
}

# expect_in_soon FILE TEXT : the file contains the text within 5 s (logs).
expect_in_soon() {
	for _ in $(seq 50); do
		grep -qF -- "$2" "$1" && return 0
		sleep 0.1
	done
	expect_in "$1" "$2"
}

# wait_for_daemon PORT : returns once the daemon answers /status on PORT,
# fails after 30 s (stretched by SLOW).
wait_for_daemon() {
	deadline=$(($(date +%s) + 30 * SLOW))
	until $PY scripts/terraind_client.py --port "$1" status >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] ||
			fail "the daemon did not answer /status on port $1: $(tail -5 "$TMP/daemon.err" 2>/dev/null)"
		sleep 0.1
	done
}

# wait_for_udp_listener PORT : returns once a socket is bound to UDP PORT
# (from /proc/net/udp: binding it to find out would race with the owner).
wait_for_udp_listener() {
	hex=$(printf '%04X' "$1")
	for _ in $(seq $((100 * SLOW))); do
		# the second column is the local address:port, in hex
		awk -v port=":$hex" 'substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
			/proc/net/udp /proc/net/udp6 2>/dev/null && return 0
		sleep 0.1
	done
	fail "nothing listens on UDP port $1"
}

# stop_daemon PID : SIGTERM; the daemon must exit 0 and $TMP/daemon.err hold
# no sanitizer report.
stop_daemon() {
	kill -TERM "$1"
	wait "$1" || fail "the daemon exited $? after SIGTERM: $(tail -5 "$TMP/daemon.err")"
	if grep -qE "Sanitizer|runtime error:" "$TMP/daemon.err"; then
		fail "sanitizer report: $(grep -E -A30 "Sanitizer|runtime error:" "$TMP/daemon.err" | head -60)"
	fi
}

# skip_under_tsan: the offline commands (info, import, eval, render, encode,
# train) run on one thread; ThreadSanitizer finds races between threads and
# has nothing to see there, at three times the run time. Their tests end as
# skipped (77, listed as expected by `make tsan`); ASan still runs them, and
# the threads they do start (plot's two halves) are TSan-tested in test_web.
skip_under_tsan() {
	case "${TERRAIND_SANITIZER:-}" in
	*thread*)
		echo "skipped under ThreadSanitizer: single-threaded offline commands, nothing for it to see (ASan and the normal build run them)"
		exit 77
		;;
	esac
}

# skip_under_sanitizer WHY: for a test whose cost under a sanitizer is
# libtorch's (uninstrumented) and whose own code paths other tests cover in
# those builds; exits 77, listed as expected by `make asan` and `make tsan`.
skip_under_sanitizer() {
	if [ -n "${TERRAIND_SANITIZER:-}" ]; then
		echo "skipped in a sanitizer build: $1"
		exit 77
	fi
}

# skip_part WHAT WHY: one check of a test that cannot be made here (a
# sanitizer build's gaps, a machine without a network address). The test
# goes on; tests/run.sh counts the part as a skip named TEST/WHAT, with WHY,
# and fails the run unless TERRAIND_EXPECTED_SKIPS names it.
skip_part() {
	echo "SKIPPED-PART: $1: $2"
}


# terrain_for_model MODEL OUT WALK : a terrain for MODEL in OUT, trained a
# few epochs on the demo's sound along WALK (a gesture's points, JSON)
# encoded by MODEL: for soaks and benches on a model that ships none.
terrain_for_model() {
	echo "$3" >"$TMP/walk.json"
	expect_status 0 "$TERRAIND" render --gesture "$TMP/walk.json" --tail 0 -o "$TMP/walk.wav"
	expect_status 0 "$TERRAIND" encode --model "$1" "$TMP/walk.wav" -o "$TMP/walk-dataset.json"
	expect_status 0 "$TERRAIND" train "$TMP/walk-dataset.json" --epochs 5 -o "$2"
}
