#!/bin/bash
# SIGKILL to a plugin: its record says unhealthy within 50 ms (SIGCHLD is
# handled in the loop, not at the next check), then it is restarted and
# healthy again, with the signal recorded.
# vigil-test: alone
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "1s"
check_timeout = "500ms"
restart_backoff = "100ms"
success_threshold = 1'
write_config
install_plugin victim "$PLUGIN_BIN/flaky/flaky"
install_plugin bystander "$PLUGIN_BIN/antiabuse/antiabuse"
start_supervisor
wait_state victim healthy 5
wait_state bystander healthy 5
old=$(state victim pid)

# vigilstate sends the signal and times the record's change in-process.
ms=$("$TOOLS/vigilstate" "$SHM" signal victim 9 unhealthy 2000) ||
	fail "victim never became unhealthy"
echo "SIGKILL -> unhealthy in $ms ms"
# The limit is 50 ms. Under ASan the killed plugin itself takes tens of ms
# to be torn down (its huge shadow mappings) before the kernel even sends
# SIGCHLD, so the sanitizer pass checks a looser bound.
limit=50
[ "${VIGIL_SAN:-0}" = 1 ] && limit=500
awk -v ms="$ms" -v lim="$limit" 'BEGIN { exit !(ms < lim) }' ||
	fail "detection took $ms ms (limit $limit ms)"
assert_eq "$(state victim exit_signal)" "9" "recorded signal"

wait_state victim healthy 5
new=$(state victim pid)
[ "$new" != "$old" ] || fail "victim was not restarted"
assert_eq "$(state victim total_restarts)" "1" "restart count"
assert_eq "$(state bystander total_restarts)" "0" "bystander restarts"
stop_supervisor
echo ok
