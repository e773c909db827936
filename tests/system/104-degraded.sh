#!/bin/bash
# A DEGRADED reply, or a reply slower than degraded_latency, makes a plugin
# degraded: still available, never counted as a failure, never restarted.
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "180ms"
failure_threshold = 2
success_threshold = 1
degraded_latency = "60ms"
restart_backoff = "100ms"'
write_config
install_plugin sad "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_REPORT = "degraded" }'
install_plugin slow "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_SLOW_HEALTH_MS = "100" }'
start_supervisor
wait_state sad degraded 5
wait_state slow degraded 5
pid_sad=$(state sad pid)
pid_slow=$(state slow pid)

# Let at least eight more checks happen; nothing may change.
target=$(( $(state sad checks) + 8 ))
wait_cond 10 "eight more checks" '[ "$(state sad checks)" -ge "$target" ]' 
for p in sad slow; do
	assert_eq "$(state $p state)" "degraded" "$p state"
	assert_eq "$(state $p total_restarts)" "0" "$p restarts"
	assert_eq "$(state $p total_failures)" "0" "$p failures"
	flags=$(state $p flags)
	[ $((flags & 2)) -ne 0 ] || fail "$p not flagged available"
done
assert_eq "$(state sad pid)" "$pid_sad" "sad pid"
assert_eq "$(state slow pid)" "$pid_slow" "slow pid"
stop_supervisor
echo ok
