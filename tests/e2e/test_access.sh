#!/bin/sh
# Access control: binding beyond loopback needs osc.allow; peers outside it
# are dropped; admin requests need osc.remote_admin; TCP needs /auth.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

echo "binding beyond loopback without osc.allow is a start-up error naming the key"
echo '{ "osc": { "bind": "0.0.0.0" } }' >"$TMP/open.json"
expect_status 2 "$TERRAIND" --config "$TMP/open.json" --port "$(free_port)"
expect_in "$TMP/err" "osc.allow"
expect_status 2 "$TERRAIND" --config "$TMP/open.json" --bind "::" --port "$(free_port)"
expect_in "$TMP/err" "osc.allow"
echo '{ "osc": { "allow": ["192.168.1.1/16"] } }' >"$TMP/typo.json"
expect_status 2 "$TERRAIND" --config "$TMP/typo.json" --port "$(free_port)"
expect_in "$TMP/err" "did you mean 192.168.0.0/16?"
echo "  ok"

# A non-loopback address of this machine: a client bound to it reaches the
# daemon as a peer on the network would.
ADDR=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -1)
if [ -z "$ADDR" ]; then
	skip_part network-peers "this machine has no non-loopback IPv4 address: peers on the network are not tried (the decisions are unit-tested in test_access)"
	echo "ok"
	exit 0
fi
echo "peers on the network ($ADDR): allow-list, remote admin, TCP password"
start_jack 48000 128
PORT=$(free_port)
TCP_PORT=$(free_port)
cat >"$TMP/conf.json" <<CONF
{ "audio": { "ring_ms": 15 },
  "osc": { "bind": "0.0.0.0", "tcp_port": $TCP_PORT, "allow": ["198.51.100.0/24"], "password": "s3cret" } }
CONF
"$TERRAIND" --config "$TMP/conf.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
$PY tests/e2e/access_checks.py "$ADDR" "$PORT" "$TCP_PORT" "$TMP/conf.json" "$DAEMON" ||
	fail "access checks failed: $(tail -20 "$TMP/daemon.err")"
wait $DAEMON || fail "the daemon did not exit cleanly after /quit"
expect_in "$TMP/daemon.out" "osc allow      loopback 198.51.100.0/24; admin requests from loopback only"
expect_in "$TMP/daemon.err" "closing an OSC TCP connection: wrong password"
if grep -qE "Sanitizer|runtime error:" "$TMP/daemon.err"; then fail "sanitizer report: $(grep -E -A30 "Sanitizer|runtime error:" "$TMP/daemon.err" | head -60)"; fi
echo "ok"
