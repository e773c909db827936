#!/bin/bash
# Row: the segment's header is overwritten: wrong magic, then wrong version.
# Expect: readers report EPROTO, never crash; header repaired
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

# overwrite OFFSET BYTES: write BYTES (printf escapes) into the header.
overwrite() {
	printf "$2" | dd of="$SEG" bs=1 seek="$1" conv=notrunc status=none
}
for what in magic version; do
	watch_segment
	hammer_api
	sleep 0.3
	case $what in
	magic)   overwrite 0 'XXXX' ;;
	version) overwrite 4 '\143\0\0\0' ;;	# version 99
	esac
	hammer_stop
	watch_result "$what"
	grep -q 'first_error=EPROTO' "$T/watch.log" || fail "$what: reader never saw it"
		grep -q '^503$' "$T/hammer.log" || echo "$what: apiserver did not catch the window"
done
log_has 'msg="shared memory segment was damaged or removed" action=repaired'
segment_ok one two || fail "records: $("$TOOLS/vigilstate" "$SHM")"
wait_for 2 "/health 200 again" http_is /health 200
assert_eq "$(jq -r .supervisor.generation "$T/body")" "$gen1" "generation (same segment)"
kill -0 "$API_PID" || fail "apiserver died"
fault_finish
