#!/bin/sh
# NetJack2 (jack2's network back end) between two JACK servers on one
# machine: "stage" (the dummy driver and netmanager: the master, where the
# sound card is) and "rack" (jackd -d net: the slave, whose clock and
# period come from the master). NetJack2 finds its master by multicast, and
# on plain loopback the master's answer lands on its own socket (both
# sides bind UDP 19000): each side gets a network namespace of its own,
# joined by a veth pair with a multicast route, as two machines on a
# switch. terraind plays on "rack" to its system:playback, which is the
# network; a listener on "stage" hears the demo's 110 Hz from
# rackbox:from_slave_1, then another pitch after an OSC /xy.
. tests/e2e/netns.sh
. tests/e2e/lib.sh
. tests/e2e/jack.sh

for tool in jack_load nsenter ip; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "skipped: $tool is missing (jackd2, util-linux, iproute2)"
		exit 77
	}
done

stage_and_rack

# The rack's namespace, held open by a process sleeping in it.
ip link set lo up || fail "cannot bring up loopback in the test's network namespace"
unshare -n sleep 600 &
NETNS=$!
PIDS="$NETNS"
for _ in $(seq 50); do
	[ "$(readlink /proc/$NETNS/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done
in_rack() {
	nsenter -t "$NETNS" -n "$@"
}
ip link add stage0 type veth peer name rack0 netns "$NETNS" || fail "cannot make a veth pair"
ip addr add 10.99.0.1/24 dev stage0 && ip link set stage0 up multicast on &&
	ip route add 224.0.0.0/4 dev stage0 || fail "cannot set up the stage's side"
in_rack sh -c 'ip link set lo up && ip addr add 10.99.0.2/24 dev rack0 && ip link set rack0 up multicast on &&
	ip route add 224.0.0.0/4 dev rack0' || fail "cannot set up the rack's side"

start_named_jack "$STAGE" 48000 128
SERVERS="$NAMED_JACK_PID"
jack_tool "$STAGE" jack_load netmanager >"$TMP/netmanager.log" 2>&1 ||
	fail "cannot load netmanager on the stage: $(cat "$TMP/netmanager.log")"
# nsenter itself, not in_rack: $! must be the server (nsenter execs it)
# NETJACK_LATENCY: the slave's network latency in periods (-l, 5 by
# default), for measuring what each adds.
LATENCY=${NETJACK_LATENCY:-5}
spawn_jackd "$TMP/jackd-rack.log" nsenter -t "$NETNS" -n jackd -n "$RACK" -d net -n rackbox -l "$LATENCY"
SERVERS="$! $SERVERS"
stage_and_rack_linked rackbox:from_slave_1 system:playback_1 ||
	fail "the rack's net driver found no master: $(grep -v '^$' "$TMP/jackd-rack.log" | tail -5)"
echo "  ok: NetJack2: $RACK is a slave of $STAGE (rackbox:from_slave_1, to_slave_1 there), latency $LATENCY periods"

# No audio.jack_ports: PortAudio connects terraind to the rack's
# system:playback, as it would to a sound card, and that is the network.
cat >"$TMP/rack.json" <<CONF
{ "audio": { "jack_server": "$RACK" }, "http": { "port": 0 } }
CONF
PORT=$(free_port)
"$TERRAIND" --config "$TMP/rack.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
PIDS="$DAEMON $PIDS"
wait_for_daemon "$PORT"
$PY tests/e2e/network_audio_checks.py "$STAGE" rackbox:from_slave_1 "$PORT" "$RACK" ||
	fail "the stage did not hear the rack; daemon log: $(tail -5 "$TMP/daemon.err"); rack: $(tail -3 "$TMP/jackd-rack.log")"
stop_daemon "$DAEMON"
echo "ok"
