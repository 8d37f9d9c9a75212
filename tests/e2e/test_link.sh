#!/bin/sh
# Ableton Link between two daemons: Link is off by default; with /link 1 on
# both they find each other and agree on the tempo /tempo sets on either.
# Link finds peers by multicast: the test runs in a network namespace of its
# own (loopback up, a multicast route on it), so that nothing it sends
# leaves this machine, and no other Link peer on the network joins in.
. tests/e2e/netns.sh
. tests/e2e/lib.sh
. tests/e2e/jack.sh

ip link set lo up || fail "cannot bring up loopback in the test's network namespace"
ip route add 224.0.0.0/4 dev lo || fail "cannot route multicast on loopback in the test's network namespace"

start_jack 48000 256
PORT1=$(free_port)
PORT2=$(free_port)
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT1" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON1=$!
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT2" >"$TMP/daemon2.out" 2>"$TMP/daemon2.err" &
DAEMON2=$!
trap 'kill $DAEMON1 $DAEMON2 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT1"
wait_for_daemon "$PORT2"

$PY tests/e2e/link_checks.py "$PORT1" "$PORT2" ||
	fail "Link checks failed; daemon logs: $(tail -10 "$TMP/daemon.err") $(tail -10 "$TMP/daemon2.err")"
stop_daemon $DAEMON1
cp "$TMP/daemon2.err" "$TMP/daemon.err"
stop_daemon $DAEMON2
stop_jack
echo "ok"
