#!/bin/bash
# Row: another process takes a plugin's port before the plugin listens.
# Expect: the start fails (exit 1), restart on a new port, healthy
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
# First start only: a detached process binds PLUGIN_GRPC_ADDRESS's port
# before the plugin listens (the race between the supervisor's check that
# the port is free and the plugin's bind).
install_plugin victim "$MISBEHAVE" "$(misbehave_manifest steal-port)"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
hog=$(cat "$T/run/plugins/victim/hog.pid")
ports=$(sed -n 's/.*msg="plugin started" plugin=victim .*address=127.0.0.1:\([0-9]*\).*/\1/p' "$SVLOG")
echo "ports used: $(echo $ports); hog $hog"
set -- $ports
[ "$#" -eq 2 ] || fail "expected two starts, got: $ports"
[ "$1" != "$2" ] || fail "restarted on the same port $1"
ss -Hltnp "sport = :$1" | grep -q "pid=$hog," || fail "hog does not hold $1"
assert_eq "$(state victim exit_code)" 1 "exit code of the failed start"
assert_eq "$(state victim total_restarts)" 1 "restarts"
grep -q "plugin=victim stream=stderr line=\"misbehave: cannot listen on 127.0.0.1:$1\"" "$SVLOG" ||
	fail "the plugin's reason is not in the log"
expect_transitions victim "unhealthy restarting starting unknown healthy"
# The hog is not ours (own session): end it, then the usual checks.
kill "$hog"
fault_finish
