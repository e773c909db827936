#!/bin/bash
# Row: a plugin answers its health checks slower than check_timeout.
# Expect: checks time out, unhealthy, restarted; others unaffected
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

# Demo mode lets the test make the running process slow (Inject "slow"
# with a delay above check_timeout = 150 ms); the restarted one is not.
SUPERVISOR_TOML='demo = true'
write_config
install_plugin victim "$FLAKY"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)

out=$(ctl simulate victim slow 400)
case "$out" in accepted*) ;; *) fail "inject: $out" ;; esac
wait_state victim unhealthy 5
fault_settle victim
[ "$(state victim pid)" != "$old" ] || fail "not restarted"
assert_eq "$(state victim total_restarts)" 1 "restarts"
log_has 'msg="health check failed" plugin=victim error="rpc DEADLINE_EXCEEDED'
log_has 'plugin=victim from=healthy to=unhealthy reason="consecutive failed checks"'
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
fault_finish
