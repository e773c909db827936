#!/bin/bash
# Row: the state segment is removed (shm_unlink) under the readers.
# Expect: readers never crash; recreated within a heartbeat; they remap
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin one "$FLAKY"
install_plugin two "$ANTIABUSE"
start_supervisor
fault_settle one two
start_api
wait_for 5 "/health 200" http_is /health 200
gen1=$(jq -r .supervisor.generation "$T/body")
fault_baseline
declare -A PIDS_OF=([one]=$(state one pid) [two]=$(state two pid))

watch_segment
hammer_api
sleep 0.5
rm "$SEG"
wait_for 1 "segment recreated" test -e "$SEG"
hammer_stop
watch_result removed
grep -q 'generations=2' "$T/watch.log" || fail "reader did not move to the new segment"
log_has 'msg="shared memory segment was damaged or removed" action=repaired'
segment_ok one two || fail "records not republished: $("$TOOLS/vigilstate" "$SHM")"
wait_for 2 "/health 200 again" http_is /health 200
gen2=$(jq -r .supervisor.generation "$T/body")
[ "$gen2" != "$gen1" ] || fail "apiserver still on generation $gen1"
kill -0 "$API_PID" || fail "apiserver died"
fault_finish
