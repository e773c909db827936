#!/bin/bash
# A plugin that ignores SIGTERM (and the Shutdown RPC) is killed after
# stop_timeout; a plugin that never finishes start-up fails its start after
# start_timeout and is restarted.
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
restart_backoff = "100ms"
start_timeout = "700ms"
stop_timeout = "1s"'
write_config
install_plugin stubborn "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_IGNORE_SIGTERM = "1" }'
install_plugin sleepy "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_NEVER_READY = "1" }'
start_supervisor
wait_state stubborn healthy 5
old=$(state stubborn pid)

out=$("$TOOLS/ctlsend" "$SOCK" restart stubborn)
case "$out" in accepted*) ;; *) fail "restart: $out" ;; esac
wait_cond 5 "stubborn restarted" '[ "$(state stubborn pid)" != "$old" ]' 
wait_state stubborn healthy 5
grep -q "msg=\"plugin did not stop in time; killing it\" plugin=stubborn" \
    "$T/supervisor.log" || fail "no kill after stop_timeout logged"
took=$(log_delays "$T/supervisor.log" 'msg="stopping plugin" plugin=stubborn' \
    'msg="plugin exited" plugin=stubborn' | head -n 1)
echo "stubborn plugin stopped after $took ms (stop_timeout 1000 ms)"
[ "$took" -ge 950 ] && [ "$took" -le 1600 ] ||
	fail "killed after $took ms, want about 1000"

# sleepy never answers Initialize: failed start, restarted, again...
wait_cond 10 "sleepy restarted twice" '[ "$(state sleepy total_restarts)" -ge 2 ]' 
grep -q 'plugin=sleepy from=starting to=unhealthy reason="start timeout"' \
    "$T/supervisor.log" || fail "start timeout not logged"
stop_supervisor
echo ok
