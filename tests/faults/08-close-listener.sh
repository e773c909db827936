#!/bin/bash
# Row: a plugin closes its listening socket but stays alive.
# Expect: checks fail (UNAVAILABLE), unhealthy, killed, restarted, healthy
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin victim "$MISBEHAVE" "$(misbehave_manifest close-listener -1 \
    'MISBEHAVE_AFTER_MS = "1500"')"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)

wait_state victim unhealthy 6
plugin_alive "$old" || fail "the process should still be alive here"
fault_settle victim
[ "$(state victim pid)" != "$old" ] || fail "not restarted"
plugin_alive "$old" && fail "listener-less process $old still there"
log_has 'msg="health check failed" plugin=victim error="rpc UNAVAILABLE'
log_has 'plugin=victim from=healthy to=unhealthy reason="consecutive failed checks"'
# It did not exit on its own: the supervisor's SIGTERM ended it.
log_has 'msg="plugin exited" plugin=victim pid='"$old"' status="killed by signal 15'
assert_eq "$(state victim total_restarts)" 1 "restarts"
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
fault_finish
