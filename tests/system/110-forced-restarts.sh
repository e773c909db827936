#!/bin/bash
# 200 forced restarts: afterwards no zombies, and the supervisor's fd count
# and RSS are back to where they were before.
. "$(dirname "$0")/common.sh"

SUPERVISOR_TOML='restarts_per_minute = 100000'
# Generous check timeouts and threshold: only the forced restarts should
# happen, even on a loaded machine or under ASan.
HEALTH_TOML='check_interval = "250ms"
check_timeout = "200ms"
failure_threshold = 5
success_threshold = 1
stop_timeout = "2s"'
write_config
names="r1 r2 r3 r4"
for p in $names; do install_plugin $p "$PLUGIN_BIN/flaky/flaky"; done
start_supervisor
for p in $names; do wait_state $p healthy 5; done

# restart_round N: restart every plugin, wait until all are healthy with
# N restarts each.
restart_round() {
	local n=$1 p
	for p in $names; do
		out=$("$TOOLS/ctlsend" "$SOCK" restart $p)
		case "$out" in accepted*) ;; *) fail "restart $p: $out" ;; esac
	done
	for p in $names; do
		wait_cond 30 "$p restart $n" \
		    "[ \"\$(state $p total_restarts)\" -ge $n ] && [ \"\$(state $p state)\" = healthy ]"
	done
}

# Warm up allocator pools and gRPC's lazily created state first.
for n in $(seq 1 10); do restart_round $n; done
fd0=$(fd_count "$SUPERVISOR_PID")
rss0=$(rss_kb "$SUPERVISOR_PID")
# 50 rounds of 4 = 200 restarts. Under ASan every plugin start is several
# times slower; that pass checks fds, zombies and leaks with 100.
last=60
[ "${VIGIL_SAN:-0}" = 1 ] && last=35
for n in $(seq 11 $last); do restart_round $n; done
fd1=$(fd_count "$SUPERVISOR_PID")
rss1=$(rss_kb "$SUPERVISOR_PID")
echo "after $(( (last - 10) * 4 )) restarts: fds $fd0 -> $fd1, RSS $rss0 -> $rss1 kB"

total=0
for p in $names; do total=$((total + $(state $p total_restarts))); done
[ "$total" -ge "$((last * 4))" ] ||
	fail "$total restarts performed, want $((last * 4))"
assert_eq "$fd1" "$fd0" "supervisor fd count"
# ASan keeps freed memory in quarantine, so RSS says nothing there; the
# sanitizer pass relies on LeakSanitizer at the supervisor's exit instead.
if [ "${VIGIL_SAN:-0}" != 1 ]; then
	[ "$rss1" -le $((rss0 + rss0 / 20)) ] ||
		fail "RSS grew from $rss0 to $rss1 kB (more than 5%)"
fi
[ -z "$(zombies_of "$SUPERVISOR_PID")" ] || fail "zombies: $(zombies_of "$SUPERVISOR_PID")"
[ "$(test_procs | wc -l)" -eq 4 ] || fail "stray plugin processes: $(test_procs)"
stop_supervisor
echo ok
