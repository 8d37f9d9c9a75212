#!/bin/sh
# audio.jack_ports and audio.jack_server: terraind's JACK outputs go where
# the configuration says (port names and patterns) instead of
# system:playback, on the server it names; a destination that appears later
# (JackTrip's ports, once its peer connects) is connected then, and again
# when it comes back; one undone by hand stays undone; after a JACK
# restart the daemon connects them again. A bad pattern is refused at start.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

SINKS=""
# start_sink NAME N : a JACK client NAME with inputs NAME:in_1..N.
start_sink() {
	$PY tests/e2e/jack_sink.py "$JACK_DEFAULT_SERVER" "$1" "$2" >"$TMP/sink-$1.out" 2>&1 &
	SINKS="$SINKS $!"
	eval "SINK_$1=$!"
	for _ in $(seq $((50 * SLOW))); do
		grep -q ready "$TMP/sink-$1.out" && return 0
		sleep 0.1
	done
	fail "the JACK client $1 did not start: $(cat "$TMP/sink-$1.out")"
}

connected() { # FROM TO
	jack_connections "$JACK_DEFAULT_SERVER" | grep -qxF "$1 -> $2"
}

expect_connection() { # FROM TO
	for _ in $(seq $((100 * SLOW))); do
		connected "$1" "$2" && return 0
		sleep 0.1
	done
	fail "$1 is not connected to $2; connections: $(jack_connections "$JACK_DEFAULT_SERVER" | tr '\n' ';') daemon log: $(grep jack_ports "$TMP/daemon.err" | tail -8)"
}

status_of() { # KEY
	$PY scripts/terraind_client.py --port "$PORT" status 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'
}

start_jack 48000 128
echo "a pattern that is not one is refused before anything starts"
echo '{ "audio": { "jack_ports": ["rack:in_(1"] } }' >"$TMP/bad.json"
expect_status 2 "$TERRAIND" --config "$TMP/bad.json" --port "$(free_port)"
expect_in "$TMP/err" "audio.jack_ports: 'rack:in_(1' is neither a port name nor a valid pattern"
echo "  ok: refused, with the reason"

start_sink rack 4
cat >"$TMP/conf.json" <<CONF
{ "audio": { "jack_server": "$JACK_DEFAULT_SERVER", "jack_ports": ["rack:in_1", "rack:in_[34]", "late:in_.*"] },
  "http": { "port": 0 } }
CONF
PORT=$(free_port)
# The server comes from audio.jack_server, not from the environment.
env JACK_DEFAULT_SERVER=no-such-server "$TERRAIND" --config "$TMP/conf.json" --port "$PORT" \
	>"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
# Clients are waited for before their server stops (spawn_jackd in jack.sh).
trap 'kill $DAEMON $SINKS 2>/dev/null; wait $DAEMON $SINKS 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
echo "at start: each destination fed by an output in turn, and nothing else"
expect_connection terraind:out_0 rack:in_1
expect_connection terraind:out_1 rack:in_3
expect_connection terraind:out_0 rack:in_4
jack_connections "$JACK_DEFAULT_SERVER" | grep "^terraind:" | grep -v -- "-> rack:" &&
	fail "terraind still plays elsewhere (PortAudio's connection to system:playback was kept)"
[ "$(status_of jack_ports_connected)" = 3 ] || fail "/status jack_ports_connected is $(status_of jack_ports_connected), not 3"
[ "$(status_of jack_ports_waiting)" = 1 ] || fail "/status jack_ports_waiting is $(status_of jack_ports_waiting), not 1"
expect_in_soon "$TMP/daemon.err" "audio.jack_ports: waiting for late:in_.*"
echo "  ok: out_0 -> in_1 and in_4, out_1 -> in_3, off system:playback; /status says 3 connected, 1 waiting"

echo "a destination that appears later is connected when it does"
start_sink late 2
expect_connection terraind:out_1 late:in_1
expect_connection terraind:out_0 late:in_2
echo "  ok"

echo "a connection undone by hand stays undone; one that comes back is connected again"
jack_disconnect terraind:out_0 rack:in_1
sleep 2.5 # two of the daemon's polls (one a second, on its main thread, whatever the build)
connected terraind:out_0 rack:in_1 && fail "terraind connected rack:in_1 again after it was disconnected by hand"
kill "$SINK_rack"
wait "$SINK_rack" 2>/dev/null
start_sink rack 4
expect_connection terraind:out_0 rack:in_1
expect_connection terraind:out_1 rack:in_3
echo "  ok"

echo "after a JACK restart the daemon connects them again"
kill $SINKS 2>/dev/null
wait $SINKS 2>/dev/null
stop_jack
expect_in_soon "$TMP/daemon.err" "the audio stream stopped"
start_jack 48000 128
SINKS=""
start_sink rack 4
expect_connection terraind:out_0 rack:in_1
expect_connection terraind:out_1 rack:in_3
expect_in "$TMP/daemon.err" "restarting terraind to reconnect"
echo "  ok"
stop_daemon "$DAEMON"
echo "ok"
