#!/bin/bash
# valgrind memcheck of the supervisor (normal build): start two plugins,
# 20 restarts over the control socket, stop. Passes with 0 errors and 0
# bytes definitely lost. Suppressions (tests/faults/valgrind.supp) cover
# library internals only, each with its reason.
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

command -v valgrind >/dev/null || { echo "valgrind missing (scripts/deps.sh)"; exit 77; }
SUPERVISOR_TOML='restarts_per_minute = 30'
# Everything runs 20-50 times slower under memcheck: generous timeouts.
HEALTH_TOML='check_interval = "1s"
check_timeout = "1s"
success_threshold = 1
restart_backoff = "100ms"
start_timeout = "20s"
stop_timeout = "5s"'
write_config
install_plugin one "$FLAKY"
install_plugin two "$ANTIABUSE"
VG=(valgrind --tool=memcheck --leak-check=full
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite
    --error-exitcode=99 --track-fds=no --num-callers=30
    --suppressions="$VIGIL_SRC/tests/faults/valgrind.supp"
    --gen-suppressions=all --log-file="$T/valgrind.log")
run_bg supervisor "${VG[@]}" "$BIN/vigil-supervisor" --config "$T/vigil.toml"
SUPERVISOR_PID=$LAST_PID
wait_for 60 "supervisor segment" "$TOOLS/vigilstate" "$SHM" supervisor
wait_state one healthy 60
wait_state two healthy 60
start=$(date +%s)
for i in $(seq 1 20); do
	n=$([ $((i % 2)) = 1 ] && echo one || echo two)
	before=$(state $n total_restarts)
	out=$(ctl restart $n)
	case "$out" in accepted*) ;; *) fail "restart $i of $n: $out" ;; esac
	wait_cond 30 "$n restarted" "[ \"\$(state $n total_restarts)\" -gt $before ]"
	wait_state $n healthy 30
done
echo "20 restarts in $(( $(date +%s) - start )) s under memcheck"
kill -TERM "$SUPERVISOR_PID"
rc=0
wait "$SUPERVISOR_PID" || rc=$?
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|suppressed:' "$T/valgrind.log" | sed 's/^==[0-9]*== */valgrind: /'
[ "$rc" -eq 0 ] || { cat "$T/valgrind.log"; fail "supervisor exit status $rc under memcheck"; }
grep -q 'ERROR SUMMARY: 0 errors' "$T/valgrind.log" || fail "memcheck errors"
grep -q 'definitely lost: 0 bytes\|All heap blocks were freed' "$T/valgrind.log" ||
	{ grep -q 'definitely lost' "$T/valgrind.log" && fail "definitely lost"; }
no_leftovers
echo "valgrind ok"
