#!/bin/bash
# Row: a plugin exits with status 1 on its own while it runs.
# Expect: unhealthy at once, exit code 1 recorded, restarted, healthy
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
# The fixture exits once, 1.5 s after it starts listening.
install_plugin victim "$MISBEHAVE" "$(misbehave_manifest exit 1 \
    'MISBEHAVE_AFTER_MS = "1500"')"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
old=$(state victim pid)

wait_cond 5 "victim exited" '[ "$(state victim pid)" != "$old" ]'
fault_settle victim
assert_eq "$(state victim exit_code)" 1 "recorded exit code"
assert_eq "$(state victim exit_signal)" 0 "recorded signal"
assert_eq "$(state victim total_restarts)" 1 "restarts"
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
expect_transitions victim "healthy unhealthy restarting starting unknown healthy"
log_has 'msg="plugin exited" plugin=victim pid='"$old"' status="exit status 1" expected=no'
log_has 'plugin=victim from=healthy to=unhealthy reason="process exited"'
fault_finish
