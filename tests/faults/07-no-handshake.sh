#!/bin/bash
# Row: a go-plugin plugin never prints its handshake line.
# Expect: start timeout each time, killed; failed after max_restarts
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
max_restarts = 2
restart_backoff = "100ms"
start_timeout = "700ms"
stop_timeout = "1s"'
write_config
install_plugin victim "$GOPLUGIN" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"
env = { GOPLUGIN_SILENT = "1" }'
install_plugin bystander "$ANTIABUSE"
start_supervisor
wait_state bystander healthy 5
wait_state victim failed 15
fault_baseline
assert_eq "$(state victim total_restarts)" 2 "restarts before failed"
# Two timeouts lead to restarts; the third goes straight on to failed.
expect_transitions victim "unhealthy restarting starting unhealthy restarting starting failed"
n=$(grep -c 'plugin=victim from=starting to=unhealthy reason="start timeout"' "$SVLOG")
assert_eq "$n" 2 "start timeouts"
# Each start had its full start_timeout (700 ms), even the first, spawned
# while the loop was busy starting the other plugin.
delays=$(log_delays "$SVLOG" 'msg="plugin started" plugin=victim' \
    'msg="stopping plugin" plugin=victim' | tr '\n' ' ')
echo "start -> stop: $delays ms"
for d in $delays; do
	[ "$d" -ge 690 ] || fail "start timeout after $d ms, want 700"
done
# Each silent process was killed, not left behind.
assert_eq "$(grep -c 'msg="plugin exited" plugin=victim' "$SVLOG")" 3 "exits"
assert_eq "$(state victim pid)" 0 "pid of a failed plugin"
fault_finish
