#!/bin/bash
# SIGTERM to the supervisor stops every plugin, even one that ignores
# SIGTERM, and removes the segment and the control socket. SIGKILL to the
# supervisor takes its plugins with it (parent-death signal).
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
stop_timeout = "1s"'
write_config
install_plugin a "$PLUGIN_BIN/antiabuse/antiabuse"
install_plugin b "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_IGNORE_SIGTERM = "1" }'
install_plugin c "$FIXTURE_BIN/goplugin" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"'
start_supervisor
for p in a b c; do wait_state $p healthy 5; done
[ "$(test_procs | wc -l)" -eq 3 ] || fail "expected 3 plugin processes"
stop_supervisor
[ -z "$(test_procs)" ] || fail "plugins left running: $(test_procs)"
[ ! -e "/dev/shm$SHM" ] || fail "segment left behind"
[ ! -e "$SOCK" ] || fail "control socket left behind"

# Again, but the supervisor dies without warning.
start_supervisor
for p in a b c; do wait_state $p healthy 5; done
kill -KILL "$SUPERVISOR_PID"
wait "$SUPERVISOR_PID" 2>/dev/null || true
wait_cond 5 "plugins gone after supervisor SIGKILL" '[ -z "$(test_procs)" ]'
# A new supervisor replaces the stale segment and starts everything again.
start_supervisor
for p in a b c; do wait_state $p healthy 5; done
stop_supervisor
echo ok
