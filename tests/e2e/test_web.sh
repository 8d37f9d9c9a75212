#!/bin/sh
# The web surface (docs/web.md) on a real JACK server, driven in headless
# Chromium: the page, pen, touches, gestures and the token, checked from the
# daemon's side (web_checks.py). TERRAIND_SCREENSHOTS=DIR keeps the page's
# pictures at laptop and phone sizes (docs/web-*.png come from it).
. tests/e2e/lib.sh
. tests/e2e/jack.sh

for tool in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x "$tool" ] || { echo "skipped: $tool is missing (make deps installs chromium and chromium-driver)"; exit 77; }
done
$PY -c "import selenium" 2>/dev/null || { echo "skipped: python3-selenium is missing (make deps)"; exit 77; }
$PY -c "import jack" 2>/dev/null || { echo "skipped: python3-jack-client is missing (make deps)"; exit 77; }

start_jack 48000 128
PORT=$(free_port)
HTTP_PORT=$(free_port)
while [ "$HTTP_PORT" = "$PORT" ]; do HTTP_PORT=$(free_port); done
TOKEN=web-test-token
cat >"$TMP/test.json" <<CONF
{ "engine": { "voices": 8, "release_ms": 50 }, "http": { "port": $HTTP_PORT, "token": "$TOKEN" },
  "midi": { "inputs": ["webkeys"] } }
CONF

# Beyond loopback without a token: a start-up error that says what to set.
printf '{ "http": { "bind": "0.0.0.0" } }' >"$TMP/open.json"
expect_status 2 "$TERRAIND" --config "$TMP/open.json" --port "$PORT"
expect_in "$TMP/err" "set http.token"

"$TERRAIND" --config "$TMP/test.json" --port "$PORT" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
# The checker starts Chromium while the daemon starts, then waits for it.
$PY tests/e2e/web_checks.py "$PORT" "$HTTP_PORT" "$TOKEN" ${TERRAIND_SCREENSHOTS:-} >"$TMP/checks.out" 2>&1 ||
	fail "web checks failed; daemon log: $(grep -v "audio underrun" "$TMP/daemon.err" | tail -30)
checks (the failing one last): $(cat "$TMP/checks.out")"
cat "$TMP/checks.out"
# Every pair the page made reached the daemon's training (not checked by a
# sanitizer build: web_checks.py says why).
if [ -z "${TERRAIND_SANITIZER:-}" ]; then
	PAIRS=$(sed -n 's/.*paths paired (\([0-9]*\) frames).*/\1/p' "$TMP/checks.out")
	expect_in "$TMP/daemon.err" "trained a terrain on $PAIRS pair(s), 3 epoch(s)"
fi
expect_in "$TMP/daemon.err" "web surface: open http://127.0.0.1:$HTTP_PORT/?token=$TOKEN"
expect_in "$TMP/daemon.err" "web: refused a page from 127.0.0.1: wrong token"
stop_daemon $DAEMON
stop_jack
echo "ok"
