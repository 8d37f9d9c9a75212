#!/bin/sh
# OSC flood against the live daemon: 50 000 datagrams a second (valid,
# invalid, garbage, oversized) for FLOOD_SECONDS (default 5; `make soak`
# runs 60). The daemon must keep 0 xruns, answer /status within 50 ms (over
# TCP every one; over UDP all but as many as the kernel's drops make
# plausible) and account for every datagram, counting those the kernel dropped.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

start_jack 48000 128
PORT=$(free_port)
TCP_PORT=$(free_port)
# ring_ms as in test_daemon.sh (VM wake-up hiccups); TCP carries /status
# requests the kernel cannot drop, however full the UDP queue.
echo "{ \"audio\": { \"ring_ms\": 15 }, \"osc\": { \"tcp_port\": $TCP_PORT } }" >"$TMP/flood.json"
"$TERRAIND" --config "$TMP/flood.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
# 50 000 a second; a tenth of that in sanitizer builds, which run 10 times slower.
$PY tests/e2e/flood.py "$PORT" "$TCP_PORT" "${FLOOD_SECONDS:-5}" $((50000 / SLOW)) || fail "flood checks failed: $(tail -5 "$TMP/daemon.err")"
$PY tests/e2e/kernel_drops.py "$PORT" "$DAEMON" || fail "kernel drops check failed: $(tail -5 "$TMP/daemon.err")"
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly after the flood"
echo "ok"
