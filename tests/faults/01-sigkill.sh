#!/bin/bash
# Row: a plugin is killed by SIGKILL.
# Expect: unhealthy at once, signal 9 recorded, restarted, healthy
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin victim "$FLAKY"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)

ms=$("$TOOLS/vigilstate" "$SHM" signal victim 9 unhealthy 2000) ||
	fail "victim never became unhealthy"
echo "SIGKILL -> unhealthy in $ms ms"
fault_settle victim
[ "$(state victim pid)" != "$old" ] || fail "not restarted"
assert_eq "$(state victim exit_signal)" 9 "recorded signal"
assert_eq "$(state victim total_restarts)" 1 "restarts"
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
expect_transitions victim "healthy unhealthy restarting starting unknown healthy"
log_has 'msg="plugin exited" plugin=victim pid='"$old"' status="killed by signal 9'
fault_finish
