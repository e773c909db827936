#!/bin/bash
# Row: the state segment is truncated under the readers (12 times, then
# in a tight loop for 2 s: a truncation landing inside a read or a write
# used to kill the reader or the supervisor with SIGBUS; both now jump out
# of the access: readers say EPROTO, the supervisor repairs and rewrites).
# Expect: readers report EPROTO, never crash; repaired within a heartbeat
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin one "$FLAKY"
install_plugin two "$ANTIABUSE"
start_supervisor
fault_settle one two
start_api
wait_for 5 "/health 200" http_is /health 200
fault_baseline
size=$(stat -c %s "$SEG")
declare -A PIDS_OF=([one]=$(state one pid) [two]=$(state two pid))

watch_segment
hammer_api
sleep 0.3
for i in $(seq 1 12); do
	truncate -s $(( i % 2 ? 0 : 100 )) "$SEG"
	sleep 0.$(( RANDOM % 3 + 1 ))
done
# The burst: truncations land inside reads and writes. Before the SIGBUS
# guards this killed readers (3 of 4) and the supervisor (3 runs of 3).
"$SHMWATCH" "$SHM" truncate 2000
hammer_stop
watch_result truncated
grep -q 'first_error=EPROTO' "$T/watch.log" || fail "reader never saw the damage"
assert_eq "$(stat -c %s "$SEG")" "$size" "repaired size"
kill -0 "$SUPERVISOR_PID" || fail "supervisor died"
kill -0 "$API_PID" || fail "apiserver died"
n=$(grep -c 'msg="shared memory segment was damaged or removed" action=repaired' "$SVLOG")
echo "repairs logged: $n"
[ "$n" -ge 5 ] || fail "only $n repairs"
segment_ok one two || fail "records not republished: $("$TOOLS/vigilstate" "$SHM")"
wait_for 2 "/health 200 again" http_is /health 200
fault_finish
