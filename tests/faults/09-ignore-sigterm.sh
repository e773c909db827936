#!/bin/bash
# Row: a plugin ignores SIGTERM (and refuses the Shutdown RPC).
# Expect: killed with SIGKILL at stop_timeout, restarted, healthy
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
restart_backoff = "100ms"
stop_timeout = "1s"'
write_config
install_plugin victim "$FLAKY" '[vigil]
env = { FLAKY_IGNORE_SIGTERM = "true" }'
start_supervisor
fault_settle victim
fault_baseline
old=$(state victim pid)

out=$(ctl restart victim)
case "$out" in accepted*) ;; *) fail "restart: $out" ;; esac
wait_cond 5 "victim restarted" '[ "$(state victim pid)" != "$old" ]'
fault_settle victim
assert_eq "$(state victim exit_signal)" 9 "killed by"
log_has 'msg="plugin did not stop in time; killing it" plugin=victim pid='"$old"' stop_timeout_ms=1000'
ms=$(log_delays "$SVLOG" "msg=\"stopping plugin\" plugin=victim pid=$old" \
    "msg=\"plugin exited\" plugin=victim pid=$old")
echo "stop took $ms ms (stop_timeout 1000 ms)"
[ "$ms" -ge 950 ] && [ "$ms" -le 1500 ] || fail "stop took $ms ms"
fault_finish
