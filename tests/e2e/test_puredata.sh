#!/bin/sh
# Pure Data (vanilla, headless: pd -nogui) drives the daemon with the
# shipped example scripts/puredata/terraind.pd: [oscformat] into
# [netsend -u -b], replies from netsend's right outlet through [oscparse].
# Pd moves the example's sliders (two /xy) and asks /status; the test
# passes only if Pd printed the parsed /done and /status.reply and the
# daemon's cursor is where the sliders put it (to their resolution).
. tests/e2e/lib.sh
. tests/e2e/jack.sh
if ! command -v pd >/dev/null 2>&1; then
	echo "skipped: Pure Data is not installed (apt-get install puredata-core, or make deps)"
	exit 77
fi
start_jack 48000 128
PORT=$(free_port)
"$TERRAIND" --model models/demo.ts --terrain terrains/demo.json --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
wait_for_daemon "$PORT"
timeout $((60 * SLOW)) pd -nogui -nosound -nomidi -noprefs -stderr -path scripts/puredata \
	-open tests/e2e/puredata_check.pd -send "terraind-check $PORT" >"$TMP/pd.out" 2>&1
grep "terraind:" "$TMP/pd.out" | cut -c1-200
grep -q "pd-check: PUREDATA OK" "$TMP/pd.out" || fail "Pd got no /status.reply: $(tail -5 "$TMP/pd.out")"
expect_in "$TMP/pd.out" "terraind: done /xy"
grep -qE "terraind: status.reply.* model demo( |$)" "$TMP/pd.out" || fail "Pd's /status.reply names no model demo"
$PY - "$PORT" <<'P' || fail "the cursor is not where Pd put it"
import sys
sys.path.insert(0, "scripts")
from terraind_client import Client
with Client(port=int(sys.argv[1])) as c:
    c.notify(30)
    _, cursor = c.wait_reply(lambda p, a: p == "/cursor")
    assert abs(cursor[0] - 0.25) < 0.01 and abs(cursor[1] + 0.5) < 0.01, cursor
    print("  ok: the daemon's cursor is where Pd's sliders put it (%.3f, %.3f)" % tuple(cursor[:2]))
P
kill -TERM $DAEMON
wait $DAEMON || fail "the daemon did not exit cleanly"
echo "ok"
