#!/bin/bash
# Other plugin protocols: a go-plugin style plugin (handshake on stdout,
# grpc.health.v1 "plugin", GRPCController/Shutdown, socket file left behind
# on exit, which the supervisor removes), a plugin serving only
# grpc.health.v1, and an hkp plugin on a unix socket.
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
restart_backoff = "100ms"'
write_config
install_plugin gp "$FIXTURE_BIN/goplugin" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"'
install_plugin gp-tcp "$FIXTURE_BIN/goplugin" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"
env = { PLUGIN_TRANSPORT = "tcp" }'
install_plugin gp-garbage "$FIXTURE_BIN/goplugin" '[vigil]
protocol = "go-plugin"
magic_cookie_key = "VIGIL_TEST_COOKIE"
magic_cookie_value = "hello"
env = { GOPLUGIN_GARBAGE = "1" }'
install_plugin hc "$FIXTURE_BIN/health-only"
install_plugin hc-down "$FIXTURE_BIN/health-only" '[vigil]
env = { HEALTH_STATUS = "NOT_SERVING" }'
install_plugin onunix "$PLUGIN_BIN/antiabuse/antiabuse" '[vigil]
address = "unix"'
start_supervisor

for p in gp gp-tcp hc onunix; do
	wait_state "$p" healthy 5
done
grep -q 'msg="plugin handshake" plugin=gp address=unix:' "$T/supervisor.log" ||
	fail "no unix handshake logged for gp"
grep -q 'msg="plugin handshake" plugin=gp-tcp address=127.0.0.1:' \
    "$T/supervisor.log" || fail "no tcp handshake logged for gp-tcp"
grep -q 'plugin=hc$\|using grpc.health.v1" plugin=hc' "$T/supervisor.log" ||
	fail "no fallback to grpc.health.v1 logged for hc"
grep -q 'msg="plugin started" plugin=onunix .*address=unix:' \
    "$T/supervisor.log" || fail "onunix not on a unix socket"

# A garbage handshake is a failed start; NOT_SERVING is a failed check.
wait_cond 10 "gp-garbage restarted" '[ "$(state gp-garbage total_restarts)" -ge 1 ]'
grep -q 'msg="plugin start failed" plugin=gp-garbage' "$T/supervisor.log" ||
	fail "garbage handshake not reported"
wait_cond 10 "hc-down unhealthy at least once" \
    '[ "$(state hc-down total_restarts)" -ge 1 ]'
grep -q 'plugin=hc-down error="grpc.health.v1 status NOT_SERVING"' \
    "$T/supervisor.log" || fail "NOT_SERVING not reported"

gp_sock=$(sed -n 's/.*msg="plugin handshake" plugin=gp address=unix:\([^ ]*\).*/\1/p' \
    "$T/supervisor.log" | tail -n 1)
unix_sock="$T/run/plugins/onunix/grpc.sock"
[ -S "$gp_sock" ] || fail "go-plugin socket $gp_sock missing while running"
[ -S "$unix_sock" ] || fail "hkp unix socket missing while running"
stop_supervisor
grep -q 'msg="plugin exited" plugin=gp .*status="exit status 0"' \
    "$T/supervisor.log" || fail "go-plugin did not exit cleanly on Shutdown"
[ ! -e "$gp_sock" ] || fail "go-plugin socket left behind"
[ ! -e "$unix_sock" ] || fail "hkp unix socket left behind"
[ -z "$(test_procs)" ] || fail "plugins left running"
echo ok
