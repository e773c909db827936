#!/bin/bash
# Row: a plugin forks a grandchild that keeps its port (or unix socket).
# Expect: the plugin dies, its group with it; restarted; nothing left
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin tcp "$MISBEHAVE" "$(misbehave_manifest grandchild -1 \
    'MISBEHAVE_AFTER_MS = "1500"')"
install_plugin sock "$MISBEHAVE" "$(misbehave_manifest grandchild -1 \
    'MISBEHAVE_AFTER_MS = "1500"')
address = \"unix\""
start_supervisor
fault_settle tcp sock
fault_baseline
old_tcp=$(state tcp pid) old_sock=$(state sock pid)
port=$(sed -n 's/.*msg="plugin started" plugin=tcp .*address=127.0.0.1:\([0-9]*\).*/\1/p' "$SVLOG" | head -n 1)

# The plugins fork, then exit 1; their children must go with them.
wait_cond 5 "both exited" '[ "$(state tcp pid)" != "$old_tcp" ] && [ "$(state sock pid)" != "$old_sock" ]'
fault_settle tcp sock
for n in tcp sock; do
	gc=$(sed -n "s/.*plugin=$n stream=stderr line=\"misbehave: forked \([0-9]*\) holding.*/\1/p" "$SVLOG" | head -n 1)
	[ -n "$gc" ] || fail "$n: no grandchild logged"
	plugin_alive "$gc" && fail "$n: grandchild $gc still alive"
	assert_eq "$(state $n exit_code)" 1 "$n exit code"
	assert_eq "$(state $n total_restarts)" 1 "$n restarts"
	echo "$n: grandchild $gc gone with its plugin"
done
# The old port is free again: nothing of the old plugin holds it.
[ -n "$port" ] || fail "no port logged"
ss -Hltn "sport = :$port" | grep -q . && fail "port $port still held"
[ -S "$T/run/plugins/sock/grpc.sock" ] || fail "new socket missing"
fault_finish
