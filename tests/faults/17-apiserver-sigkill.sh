#!/bin/bash
# Row: the apiserver is killed with SIGKILL.
# Expect: no plugin touched; a new apiserver serves the same state
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin one "$FLAKY"
install_plugin two "$ANTIABUSE"
start_supervisor
fault_settle one two
start_api
wait_for 5 "/health 200" http_is /health 200
fault_baseline
pids="$(state one pid) $(state two pid)"
checks=$(state one checks)

kill -KILL "$API_PID"
wait "$API_PID" 2>/dev/null || true
assert_eq "$(http /health)" 000 "killed apiserver answers"
sleep 1
assert_eq "$(state one pid) $(state two pid)" "$pids" "plugin pids"
for n in one two; do
	assert_eq "$(state $n state)" healthy "$n state"
	assert_eq "$(state $n total_restarts)" 0 "$n restarts"
done
[ "$(state one checks)" -gt "$checks" ] || fail "checks stopped"
start_api
all_back() {
	http_is /health 200 &&
	    [ "$(jq -r .summary.healthyPlugins "$T/body")" = 2 ]
}
wait_for 10 "/health 200 with 2 healthy plugins" all_back
assert_eq "$(state one pid) $(state two pid)" "$pids" "plugin pids after"
fault_finish
