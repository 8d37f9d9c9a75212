#!/bin/sh
# make install DESTDIR=... lays out every file, and the installed terraind
# plays from outside the clone: it finds its configuration and data from
# where it lies, says so in `info` and /status, serves its web page and
# plays the installed demo, named relatively (110 Hz at (0, 0), higher at
# (0.4, 1)). One
# version everywhere. An edited configuration survives reinstalling and
# uninstalling; make uninstall leaves nothing else. The package's tree
# (PREFIX=/usr): /etc for the configuration, the units valid for systemd,
# and the shared libraries it needs, named by dpkg-shlibdeps.
. tests/e2e/lib.sh
. tests/e2e/jack.sh

ROOT="$TMP/root"
PREFIX=/usr/local
# install-files: what `make install` does once it has built (make test
# built already, and a sanitizer build must not be rebuilt without its flags)
make -s install-files BUILD="$BUILD" DESTDIR="$ROOT" >"$TMP/install.out" 2>&1 ||
	fail "make install failed: $(cat "$TMP/install.out")"
echo "make install lays out the files"
for f in bin/terraind bin/terraind-client lib/terraind/libterraind-torch.so share/terraind/models/demo.ts share/terraind/terrains/demo.json \
	share/terraind/web/index.html share/terraind/examples/terraind.pd share/terraind/examples/terraind.scd \
	share/terraind/examples/touchosc-portrait.json share/man/man1/terraind.1 share/man/man1/terraind-client.1 \
	share/doc/terraind/README.md etc/terraind/terraind.json lib/systemd/system/terraind.service \
	lib/systemd/user/terraind.service lib/sysusers.d/terraind.conf; do
	[ -f "$ROOT$PREFIX/$f" ] || fail "make install did not install $PREFIX/$f"
done
[ -x "$ROOT$PREFIX/bin/terraind-client" ] || fail "terraind-client is not executable"
expect_in "$ROOT$PREFIX/lib/systemd/system/terraind.service" "ExecStart=$PREFIX/bin/terraind serve"
expect_in "$ROOT$PREFIX/lib/systemd/user/terraind.service" "ExecStart=$PREFIX/bin/terraind serve"
echo "  ok: binary, libtorch backend, client, models, terrains, web page, examples, man pages, docs, configuration, units"

VERSION=$(cat VERSION)
echo "one version: --version, the man pages, debian/changelog"
TD="$ROOT$PREFIX/bin/terraind"
[ "$("$TD" --version)" = "terraind $VERSION" ] || fail "--version says '$("$TD" --version)', VERSION $VERSION"
for page in docs/terraind.1 docs/terraind-client.1; do
	grep -q "^\.TH .*\"terraind $VERSION\"" "$page" || fail "$page is not at version $VERSION: $(head -1 "$page")"
done
if command -v dpkg-parsechangelog >/dev/null; then
	[ "$(dpkg-parsechangelog -S Version)" = "$VERSION" ] ||
		fail "debian/changelog is at $(dpkg-parsechangelog -S Version), VERSION at $VERSION"
fi
echo "  ok: $VERSION"

echo "outside the clone, the installed terraind finds its own configuration and data"
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || fail "no $TMP/elsewhere"
expect_status 0 "$TD" info
expect_in "$TMP/out" "installation   installed, $ROOT$PREFIX"
expect_in "$TMP/out" "configuration  $ROOT$PREFIX/etc/terraind/terraind.json"
model=$($PY -c 'import json; print(json.load(open("'"$ROOT$PREFIX"'/etc/terraind/terraind.json"))["model"])')
expect_in "$TMP/out" "model          $ROOT$PREFIX/share/terraind/$model"
expect_in "$TMP/out" "web surface    $ROOT$PREFIX/share/terraind/web"
grep -q "$OLDPWD" "$TMP/out" && fail "the installed terraind looked into the clone: $(cat "$TMP/out")"
echo "  ok: terraind info says which"

start_jack 48000 128
PORT=$(free_port)
HTTP=$(free_port)
# The demo, named as in the clone: relative paths on the command line are
# the working directory's, else the data roots' (the installed ones here).
"$TD" --port "$PORT" --http-port "$HTTP" --model models/demo.ts --terrain terrains/demo.json --record "$TMP/take.wav" \
	>"$TMP/daemon.out" 2>"$TMP/daemon.err" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; stop_jack; rm -rf "$TMP"' EXIT
CLIENT="$ROOT$PREFIX/bin/terraind-client"
deadline=$(($(date +%s) + 30 * SLOW))
until "$CLIENT" --port "$PORT" status >"$TMP/status" 2>&1; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "the installed daemon did not answer: $(tail -5 "$TMP/daemon.err")"
	sleep 0.1
done
expect_in "$TMP/status" "version            $VERSION"
expect_in "$TMP/status" "config             $ROOT$PREFIX/etc/terraind/terraind.json"
expect_in "$TMP/status" "data_dirs          $XDG_DATA_HOME/terraind:$ROOT$PREFIX/share/terraind"
expect_in "$TMP/status" "audio              running"
expect_in "$TMP/status" "model              demo"
[ -d "$XDG_DATA_HOME/terraind/models" ] || fail "the user's models folder was not made"
$PY - "$HTTP" <<'PY' || fail "the installed web page was not served"
import sys, urllib.request
page = urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=5).read().decode()
assert 'id="st-version"' in page, page[:200]
PY
echo "  ok: /status from the installed client says the version, configuration and data; the page is served"
sleep 1
"$CLIENT" --port "$PORT" xy 0.4 1 || fail "the installed client could not move the cursor"
sleep 1
cd "$OLDPWD" || fail "cannot go back to the clone"
stop_daemon "$DAEMON"
$PY tests/e2e/recording_checks.py "$TMP/take.wav" || fail "the installed terraind did not play the installed demo"

echo "reinstalling keeps an edited configuration; uninstalling removes everything else"
echo '{ "osc": { "port": 9100 } }' >"$ROOT$PREFIX/etc/terraind/terraind.json"
make -s install-files BUILD="$BUILD" DESTDIR="$ROOT" >"$TMP/install.out" 2>&1 || fail "make install failed again"
expect_in "$TMP/install.out" "kept your $ROOT$PREFIX/etc/terraind/terraind.json"
make -s uninstall BUILD="$BUILD" DESTDIR="$ROOT" >"$TMP/uninstall.out" 2>&1 ||
	fail "make uninstall failed: $(cat "$TMP/uninstall.out")"
expect_in "$TMP/uninstall.out" "kept $ROOT$PREFIX/etc/terraind/terraind.json (edited)"
left=$(find "$ROOT" -type f | grep -v "/etc/terraind/terraind.json$")
[ -z "$left" ] || fail "make uninstall left: $left"
[ -d "$ROOT$PREFIX/share/terraind" ] && fail "make uninstall left $PREFIX/share/terraind"
echo "  ok"

echo "the package's tree (PREFIX=/usr): /etc, systemd's folders, valid units, its libraries"
PKG="$TMP/pkg"
make -s install-files BUILD="$BUILD" DESTDIR="$PKG" PREFIX=/usr >"$TMP/install.out" 2>&1 ||
	fail "make install PREFIX=/usr failed: $(cat "$TMP/install.out")"
for f in usr/bin/terraind usr/lib/terraind/libterraind-torch.so etc/terraind/terraind.json lib/systemd/system/terraind.service \
	usr/lib/systemd/user/terraind.service usr/lib/sysusers.d/terraind.conf usr/share/terraind/models/demo.ts; do
	[ -f "$PKG/$f" ] || fail "make install PREFIX=/usr did not install /$f"
done
"$PKG/usr/bin/terraind" info >"$TMP/out" 2>&1 || fail "terraind info failed: $(cat "$TMP/out")"
expect_in "$TMP/out" "configuration  $PKG/etc/terraind/terraind.json"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/units" "$TMP/run"
	chmod 700 "$TMP/run"
	sed "s|/usr/bin/terraind|$PKG/usr/bin/terraind|" "$PKG/lib/systemd/system/terraind.service" >"$TMP/units/terraind.service"
	sed "s|/usr/bin/terraind|$PKG/usr/bin/terraind|" "$PKG/usr/lib/systemd/user/terraind.service" >"$TMP/units/user.service"
	systemd-analyze verify --man=no "$TMP/units/terraind.service" >"$TMP/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$TMP/verify")"
	XDG_RUNTIME_DIR="$TMP/run" systemd-analyze --user verify --man=no "$TMP/units/user.service" >>"$TMP/verify" 2>&1 ||
		fail "systemd-analyze --user verify: $(cat "$TMP/verify")"
	[ -s "$TMP/verify" ] && fail "systemd-analyze warns: $(cat "$TMP/verify")"
	echo "  ok: systemd-analyze verify finds nothing to say about either unit"
fi
if command -v dpkg-shlibdeps >/dev/null; then
	mkdir -p "$TMP/shlib/debian"
	echo "Source: terraind" >"$TMP/shlib/debian/control"
	(cd "$TMP/shlib" && dpkg-shlibdeps -O "$PKG/usr/bin/terraind" "$PKG/usr/lib/terraind/libterraind-torch.so") \
		>"$TMP/deps" 2>&1 ||
		fail "dpkg-shlibdeps: $(cat "$TMP/deps")"
	for lib in libtorch liblo portaudio libjack libcjson libsndfile libsamplerate libwebsockets libpng; do
		grep -q "$lib" "$TMP/deps" || fail "the package would not depend on $lib: $(cat "$TMP/deps")"
	done
	echo "  ok: $(sed 's/^shlibs:Depends=//' "$TMP/deps" | tr ',' '\n' | wc -l) shared-library dependencies, libtorch and liblo among them"
fi
echo "ok"
