#!/bin/sh
# A heavy model on another machine, played on one: two JACK servers on the
# dummy driver, "stage" (the laptop with the sound card) and "rack" (the
# bigger machine backstage), linked by JackTrip over loopback
# (docs/network-audio.md). terraind plays on "rack" into JackTrip
# (audio.jack_server, audio.jack_ports); a listener on "stage" hears the
# demo terrain's 110 Hz at (0, 0), then another pitch after an OSC /xy.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

if ! command -v jacktrip >/dev/null 2>&1; then
	echo "skipped: jacktrip is not installed (Debian's jacktrip; make deps installs it)"
	exit 77
fi

# A port free for JackTrip's server, over TCP (its handshake) and UDP.
free_tcp_udp_port() {
	$PY -c 'import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("0.0.0.0", p)); print(p); break
    except OSError:
        continue'
}

stage_and_rack
start_named_jack "$STAGE" 48000 128
SERVERS="$NAMED_JACK_PID"
start_named_jack "$RACK" 48000 128
SERVERS="$SERVERS $NAMED_JACK_PID"

# jacktrip -s on the stage, jacktrip -c on the rack: each its own port
# (one machine here), -D on the rack so that nothing but terraind feeds it.
SERVER_PORT=$(free_tcp_udp_port)
CLIENT_PORT=$(free_port)
# JACKTRIP_QUEUE: the jitter buffer, in packets of one period (JackTrip's
# -q, 4 by default), for measuring what each length adds.
QUEUE=${JACKTRIP_QUEUE:-4}
JACK_DEFAULT_SERVER="$STAGE" jacktrip -s -B "$SERVER_PORT" -q "$QUEUE" --clientname jt_stage >"$TMP/jt-stage.log" 2>&1 &
PIDS="$PIDS $!"
JACK_DEFAULT_SERVER="$RACK" jacktrip -c 127.0.0.1 -B "$CLIENT_PORT" -P "$SERVER_PORT" -q "$QUEUE" -D --clientname jt_rack \
	>"$TMP/jt-rack.log" 2>&1 &
PIDS="$PIDS $!"
stage_and_rack_linked jt_stage:receive_1 jt_rack:send_1 ||
	fail "JackTrip did not connect the two servers: stage: $(tail -3 "$TMP/jt-stage.log") rack: $(tail -3 "$TMP/jt-rack.log")"
echo "  ok: JackTrip links $STAGE and $RACK (ports $SERVER_PORT and $CLIENT_PORT, queue $QUEUE)"

cat >"$TMP/rack.json" <<CONF
{ "audio": { "jack_server": "$RACK", "jack_ports": ["jt_rack:send_.*"] }, "http": { "port": 0 } }
CONF
PORT=$(free_port)
env -u JACK_DEFAULT_SERVER "$TERRAIND" --config "$TMP/rack.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
PIDS="$DAEMON $PIDS"
wait_for_daemon "$PORT"
expect_in_soon "$TMP/daemon.err" "audio.jack_ports: terraind:out_1 -> jt_rack:send_2"
echo "  ok: terraind plays on $RACK into jt_rack:send_1 and send_2"
$PY tests/e2e/network_audio_checks.py "$STAGE" jt_stage:receive_1 "$PORT" "$RACK" ||
	fail "the stage did not hear the rack; daemon log: $(tail -5 "$TMP/daemon.err"); rack: $(tail -3 "$TMP/jt-rack.log")"
stop_daemon "$DAEMON"
echo "ok"
