#!/bin/bash
# Row: the supervisor is killed with SIGKILL.
# Expect: plugins die with it; new one restores all; API reattaches
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin tcp "$FLAKY"
install_plugin sock "$ANTIABUSE" '[vigil]
address = "unix"'
install_plugin gop "$GOPLUGIN" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"'
start_supervisor
fault_settle tcp sock gop
start_api
wait_for 5 "/health 200" http_is /health 200
gen1=$(jq -r .supervisor.generation "$T/body")
fault_baseline
pids="$(state tcp pid) $(state sock pid) $(state gop pid)"

kill -KILL "$SUPERVISOR_PID"
wait "$SUPERVISOR_PID" 2>/dev/null || true
# The parent-death signal (SIGKILL) takes every plugin down at once.
alive() { for p in $pids; do plugin_alive "$p" && return 0; done; return 1; }
wait_cond 2 "plugins dead with their supervisor" '! alive'
echo "plugins $pids died with the supervisor"
[ -z "$(test_procs)" ] || fail "left: $(test_procs)"
# The apiserver notices (stale heartbeat) and keeps running.
wait_for 6 "/health 503" http_is /health 503
jq -r .reason "$T/body" | grep -q 'heartbeat stale' || fail "reason: $(cat "$T/body")"
kill -0 "$API_PID" || fail "apiserver died"

# A new supervisor: new segment (generation), same socket path.
start_supervisor
fault_settle tcp sock gop
all_back() {
	http_is /health 200 &&
	    [ "$(jq -r .summary.healthyPlugins "$T/body")" = 3 ]
}
wait_for 10 "/health 200 with 3 healthy plugins" all_back
gen2=$(jq -r .supervisor.generation "$T/body")
[ "$gen2" != "$gen1" ] || fail "same generation $gen1"
kill -0 "$API_PID" || fail "apiserver was restarted or died"
grep -c 'msg="dropped privileges"\|msg=starting' "$T/api.log" >/dev/null
out=$(ctl ping x)
case "$out" in accepted*) ;; *) fail "new control socket: $out" ;; esac
echo "apiserver $API_PID reattached: generation $gen1 -> $gen2"
fault_finish
