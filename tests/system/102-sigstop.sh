#!/bin/bash
# SIGSTOP: the plugin stops answering; after failure_threshold timed-out
# checks it is unhealthy, stopped (SIGTERM+SIGCONT, then SIGKILL),
# restarted and healthy again. Other plugins keep being checked on time.
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
failure_threshold = 3
success_threshold = 1
restart_backoff = "100ms"
stop_timeout = "1s"'
write_config
install_plugin frozen "$PLUGIN_BIN/flaky/flaky"
install_plugin other "$PLUGIN_BIN/antiabuse/antiabuse"
start_supervisor
wait_state frozen healthy 5
wait_state other healthy 5
old=$(state frozen pid)
checks_before=$(state other checks)

kill -STOP "$old"
wait_state frozen unhealthy 5
failures=$(state frozen total_failures)
[ "$failures" -ge 3 ] || fail "unhealthy after only $failures failures"
grep -q 'reason="consecutive failed checks"' "$T/supervisor.log" ||
	fail "no failed-checks transition logged"
wait_state frozen healthy 10
[ "$(state frozen pid)" != "$old" ] || fail "frozen plugin not restarted"
plugin_alive "$old" && fail "stopped process $old still exists"

# The other plugin was checked every interval meanwhile: about one check
# per 200 ms; allow for one missed slot at most.
checks_after=$(state other checks)
elapsed_checks=$((checks_after - checks_before))
echo "other plugin: $elapsed_checks checks while frozen was handled"
[ "$elapsed_checks" -ge 4 ] || fail "other plugin's checks were delayed"
assert_eq "$(state other state)" "healthy"
assert_eq "$(state other total_failures)" "0" "other failures"
stop_supervisor
echo ok
