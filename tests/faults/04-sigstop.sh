#!/bin/bash
# Row: a plugin is stopped with SIGSTOP (alive, answers nothing).
# Expect: unhealthy after 3 timeouts, restarted; others unaffected
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin victim "$FLAKY"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)
bchecks=$(state bystander checks)

kill -STOP "$old"
start=$(date +%s%N)
wait_state victim unhealthy 5
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "SIGSTOP -> unhealthy in $ms ms"
# failure_threshold 3 at a 200 ms interval: at least ~400 ms, not instant.
[ "$ms" -ge 300 ] || fail "unhealthy after only $ms ms"
fault_settle victim
[ "$(state victim pid)" != "$old" ] || fail "not restarted"
plugin_alive "$old" && fail "stopped process $old still there"
assert_eq "$(state victim total_restarts)" 1 "restarts"
expect_transitions victim "healthy unhealthy restarting starting unknown healthy"
log_has 'plugin=victim from=healthy to=unhealthy reason="consecutive failed checks"'
# The bystander was checked all along, without a failure.
[ "$(state bystander checks)" -gt $((bchecks + 5)) ] ||
	fail "bystander checks stalled: $bchecks -> $(state bystander checks)"
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
fault_finish
