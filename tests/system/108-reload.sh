#!/bin/bash
# SIGHUP re-reads config and manifests: new plugins start, removed ones
# stop, changed ones restart, unchanged ones are untouched.
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1'
write_config
install_plugin keep "$PLUGIN_BIN/antiabuse/antiabuse"
install_plugin change "$PLUGIN_BIN/flaky/flaky"
install_plugin drop "$PLUGIN_BIN/flaky/flaky"
start_supervisor
for p in keep change drop; do wait_state $p healthy 5; done
keep_pid=$(state keep pid)
change_pid=$(state change pid)
drop_pid=$(state drop pid)

echo '# edited' >>"$T/plugins/change/plugin.toml"
rm -rf "$T/plugins/drop"
install_plugin added "$PLUGIN_BIN/flaky/flaky"
kill -HUP "$SUPERVISOR_PID"

wait_state added healthy 5
wait_cond 5 "drop removed" '! state drop >/dev/null'
plugin_alive "$drop_pid" && fail "removed plugin still running"
wait_cond 5 "change restarted" '[ "$(state change pid)" != "$change_pid" ]'
wait_state change healthy 5
assert_eq "$(state keep pid)" "$keep_pid" "unchanged plugin's pid"
assert_eq "$(state keep total_restarts)" "0" "unchanged plugin's restarts"

# A broken config on reload is reported and changes nothing.
echo '[broken' >>"$T/vigil.toml"
kill -HUP "$SUPERVISOR_PID"
wait_cond 5 "reload failure logged" \
    'grep -q "msg=\"reload failed; keeping the running configuration\"" "$T/supervisor.log"'
assert_eq "$(state keep pid)" "$keep_pid" "pid after failed reload"

# A changed plugin still stopping when the supervisor is told to exit: the
# replacement must not start. (stubborn ignores SIGTERM, so its stop takes
# stop_timeout.)
sed -i '$d' "$T/vigil.toml"
install_plugin stubborn "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_IGNORE_SIGTERM = "1" }'
kill -HUP "$SUPERVISOR_PID"
wait_state stubborn healthy 5
echo '# edited' >>"$T/plugins/stubborn/plugin.toml"
kill -HUP "$SUPERVISOR_PID"
wait_cond 5 "stubborn being stopped" \
    'grep -q "msg=\"stopping plugin\" plugin=stubborn" "$T/supervisor.log"'
stop_supervisor
grep -q 'manifest changed; starting new version" plugin=stubborn' \
    "$T/supervisor.log" && fail "replacement started during shutdown"
[ -z "$(test_procs)" ] || fail "plugins left running"
echo ok
