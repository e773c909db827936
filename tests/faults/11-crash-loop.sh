#!/bin/bash
# Row: a plugin crashes shortly after every start.
# Expect: backoff restarts, failed after max_restarts, manual restart
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
max_restarts = 3
restart_backoff = "200ms"
max_restart_backoff = "1s"'
write_config
install_plugin victim "$FLAKY" '[vigil]
env = { FLAKY_CRASH_AFTER_MS = "150" }'
install_plugin bystander "$ANTIABUSE"
start_supervisor
wait_state bystander healthy 5
wait_state victim failed 15
fault_baseline
assert_eq "$(state victim total_restarts)" 3 "restarts"
assert_eq "$(state victim exit_code)" 1 "exit code"
# Backoff grows: 200, 400, 600 ms (+-10%) between exit and restart.
delays=$(log_delays "$SVLOG" 'msg="plugin exited" plugin=victim' \
    'plugin=victim from=unhealthy to=restarting' | tr '\n' ' ')
echo "backoff delays: $delays ms"
set -- $delays
[ "$#" -ge 3 ] || fail "delays: $delays"
for want in 200 400 600; do
	awk -v d="$1" -v w="$want" 'BEGIN { exit !(d >= w * 0.85 && d <= w * 1.25 + 60) }' ||
		fail "delay $1 ms, want about $want"
	shift
done
# A manual restart is allowed from failed and starts the loop again.
out=$(ctl restart victim)
case "$out" in accepted*) ;; *) fail "manual restart: $out" ;; esac
wait_cond 5 "restarted after failed" '[ "$(state victim total_restarts)" -ge 4 ]'
wait_state victim failed 15
assert_eq "$(state bystander total_restarts)" 0 "bystander restarts"
fault_finish
