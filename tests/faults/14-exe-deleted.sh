#!/bin/bash
# Row: a plugin's executable is deleted while it runs.
# Expect: runs on; restarts fail (exec) until failed; back after restore
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
max_restarts = 2
restart_backoff = "100ms"'
write_config
install_plugin victim "$FLAKY"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)

rm "$T/plugins/victim/flaky"
sleep 1
assert_eq "$(state victim state)" healthy "still running without its file"
assert_eq "$(state victim pid)" "$old" "same process"
kill -KILL "$old"
wait_state victim failed 10
state victim message | grep -q 'exec: No such file or directory' ||
	fail "reason: $(state victim message)"
assert_eq "$(grep -c 'msg="plugin start failed" plugin=victim error="exec: No such file' "$SVLOG")" 2 "failed spawns"
assert_eq "$(state victim pid)" 0 "nothing running"
# Put it back: a manual restart brings it up again.
cp "$FLAKY" "$T/plugins/victim/flaky"
out=$(ctl restart victim)
case "$out" in accepted*) ;; *) fail "restart: $out" ;; esac
fault_settle victim
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
fault_finish
