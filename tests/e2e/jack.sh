# Starts a private JACK server with the dummy driver (sourced by daemon
# tests). A real, real-time audio server without a sound card: PortAudio
# plays to it exactly as it would to hardware. Each test gets its own
# server name, so tests never disturb a user's JACK or each other.
JACK_DEFAULT_SERVER="terraind-test-$$"
export JACK_DEFAULT_SERVER
export JACK_NO_AUDIO_RESERVATION=1
export JACK_NO_START_SERVER=1

# The JACK tools' -s SERVER copies the name one byte short (jack2 1.9.21:
# a 24-byte name corrupts jack_lsp's heap); they are given the server in
# the environment instead.
jack_tool() { # SERVER TOOL ARGS...
	server=$1
	shift
	JACK_DEFAULT_SERVER="$server" "$@"
}

# wait_for_jack NAME LOG : returns once the server NAME answers.
wait_for_jack() {
	for _ in $(seq 50); do
		jack_tool "$1" jack_lsp >/dev/null 2>&1 && return 0
		grep -q "JACK server starting" "$2" 2>/dev/null && sleep 0.3 && return 0
		sleep 0.1
	done
	fail "jackd $1 did not start: $(cat "$2")"
}

# The registry tool by absolute path: some tests run from another folder.
JACK_REGISTRY_TOOL="$(pwd)/tests/e2e/jack_registry.py"

# free_dead_jack_places : a killed server keeps one of JACK 2's 8 places
# for servers on the machine for good (jack_registry.py); before each
# start, the places of servers that are gone are given back.
free_dead_jack_places() {
	$PY "$JACK_REGISTRY_TOOL" >&2
}

# spawn_jackd LOG COMMAND... : COMMAND (jackd, or a wrapper that execs it)
# in the background once dead servers' places are free, its pid in $!,
# output to LOG. Stop a client and wait for it before its server: jack2
# 1.9.21, stopping, writes to the socket of a client still leaving, dies
# of SIGPIPE (status 141) and keeps its place.
spawn_jackd() {
	free_dead_jack_places
	log=$1
	shift
	"$@" >"$log" 2>&1 &
}

# start_jack RATE PERIOD [SERVER_OPTIONS...] : the test's server; options
# go before the driver's (-S: synchronous, for the MIDI tests).
start_jack() {
	jack_rate=$1
	jack_period=$2
	shift 2
	spawn_jackd "$TMP/jackd.log" jackd -n "$JACK_DEFAULT_SERVER" "$@" -d dummy -r "$jack_rate" -p "$jack_period"
	JACK_PID=$!
	wait_for_jack "$JACK_DEFAULT_SERVER" "$TMP/jackd.log"
}

# start_named_jack NAME RATE PERIOD : one more private server, for a test
# with two (JackTrip between "stage" and "rack"); its pid in
# $NAMED_JACK_PID (the caller stops it).
start_named_jack() {
	spawn_jackd "$TMP/jackd-$1.log" jackd -n "$1" -d dummy -r "$2" -p "$3"
	NAMED_JACK_PID=$!
	wait_for_jack "$1" "$TMP/jackd-$1.log"
}

# stage_and_rack : the network audio tests' two servers' names, "stage"
# and "rack", in $STAGE and $RACK. The test puts its clients' pids in $PIDS
# and its servers' in $SERVERS; on exit the clients, then the servers, are
# stopped and each waited for: a JACK server that has not finished leaving
# still holds one of the 8 places JACK 2 has for servers on a machine.
stage_and_rack() {
	STAGE="$JACK_DEFAULT_SERVER-stage"
	RACK="$JACK_DEFAULT_SERVER-rack"
	PIDS=""
	SERVERS=""
	trap stop_stage_and_rack EXIT
}

stop_stage_and_rack() {
	for pid in $PIDS $SERVERS; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}

# stage_and_rack_linked STAGE_PORT RACK_PORT : true once the stage's
# server has STAGE_PORT and the rack's RACK_PORT (the network link's own
# ports), within 10 s (stretched by SLOW).
stage_and_rack_linked() {
	for _ in $(seq $((100 * SLOW))); do
		jack_has_port "$STAGE" "$1" && jack_has_port "$RACK" "$2" && return 0
		sleep 0.1
	done
	return 1
}

# jack_has_port SERVER PORT : true when the server lists the port (the
# whole list is read: jack_lsp aborts when its pipe closes early).
jack_has_port() {
	jack_tool "$1" jack_lsp 2>/dev/null | grep -x -- "$2" >/dev/null
}

# jack_connections SERVER : every port and what it is connected to, one
# "PORT -> OTHER" line per connection (jack_lsp -c, flattened).
jack_connections() {
	jack_tool "$1" jack_lsp -c 2>/dev/null | awk '/^ / { sub(/^ +/, ""); print port " -> " $0; next } { port = $0 }'
}

stop_jack() {
	[ -n "${JACK_PID:-}" ] && kill "$JACK_PID" 2>/dev/null && wait "$JACK_PID" 2>/dev/null
	JACK_PID=""
}

# A free UDP port for the daemon.
free_port() {
	$PY -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_daemon_on_jack ARGS... : the daemon (ARGS, then --port "$PORT") in
# the background as $DAEMON, its output in $TMP/daemon.out and daemon.err;
# on exit the daemon and JACK are stopped and $TMP removed. Returns once it
# answers /status (stop it with stop_daemon "$DAEMON").
start_daemon_on_jack() {
	"$TERRAIND" "$@" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
	DAEMON=$!
	trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
	wait_for_daemon "$PORT"
}
