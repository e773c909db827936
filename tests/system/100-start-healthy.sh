#!/bin/bash
# Three plugins become healthy within two check intervals; their records
# carry pid, and version/description from GetInfo rather than the manifest.
. "$(dirname "$0")/common.sh"

write_config
install_plugin antiabuse "$PLUGIN_BIN/antiabuse/antiabuse"
install_plugin flaky "$PLUGIN_BIN/flaky/flaky"
install_plugin flaky2 "$PLUGIN_BIN/flaky/flaky"
start_supervisor

# check_interval is 200 ms: two intervals plus start-up slack.
for p in antiabuse flaky flaky2; do
	wait_state "$p" healthy 2
done
for p in antiabuse flaky flaky2; do
	pid=$(state "$p" pid)
	[ "$pid" -gt 0 ] || fail "$p has no pid"
	plugin_alive "$pid" || fail "$p pid $pid is not running"
	# The SDK's GetInfo reports version 1.0.0; the manifest said otherwise.
	assert_eq "$(state "$p" version)" "1.0.0" "$p version"
	[ "$(state "$p" description)" != "from the manifest" ] ||
		fail "$p description not taken from GetInfo"
done
assert_eq "$(state antiabuse description)" "Anti-abuse rate limiting plugin"
if is_root; then
	uid=$(awk '/^Uid:/ {print $2}' /proc/"$(state antiabuse pid)"/status)
	assert_eq "$uid" "$(id -u vigil-plugin)" "plugin uid"
fi
stop_supervisor
[ -z "$(test_procs)" ] || fail "plugins left running: $(test_procs)"
echo ok
