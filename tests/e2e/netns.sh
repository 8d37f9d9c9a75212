# Sourced first (before lib.sh) by a test that needs a network namespace
# of its own: multicast on loopback (Link, NetJack2) that nothing outside
# sees, and that no peer on the real network joins. Re-executes the test
# under `unshare -n`; where that is not possible, skips it (77).
if [ -z "${TERRAIND_OWN_NETNS:-}" ]; then
	if ! unshare -n true 2>/dev/null; then
		echo "skipped: cannot create a network namespace (unshare -n needs root or user namespaces)"
		exit 77
	fi
	TERRAIND_OWN_NETNS=1 exec unshare -n sh "$0" "$@"
fi
