#!/bin/bash
# Row: a go-plugin plugin prints a garbage handshake line.
# Expect: each start fails with the reason; failed after max_restarts
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
max_restarts = 2
restart_backoff = "100ms"
start_timeout = "2s"'
write_config
GOPLUGIN_TOML='[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"'
install_plugin victim "$GOPLUGIN" "$GOPLUGIN_TOML
env = { GOPLUGIN_GARBAGE = \"1\" }"
install_plugin bystander "$ANTIABUSE"
start_supervisor
wait_state bystander healthy 5
wait_state victim failed 10
fault_baseline
assert_eq "$(state victim total_restarts)" 2 "restarts before failed"
# The record keeps the reason, not "killed by signal 9" (our own kill).
state victim message | grep -q 'not a go-plugin handshake line' ||
	fail "reason: $(state victim message)"
n=$(grep -c 'msg="plugin start failed" plugin=victim .*error="not a go-plugin handshake line"' "$SVLOG")
assert_eq "$n" 3 "failed starts logged"
expect_transitions victim "unhealthy restarting starting unhealthy restarting starting failed"
# Failed stays failed: nothing runs, nothing is retried.
sleep 0.5
assert_eq "$(state victim pid)" 0 "pid of a failed plugin"
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
fault_finish
