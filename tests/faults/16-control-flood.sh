#!/bin/bash
# Row: the control socket is flooded (1,000 requests/s, malformed and
# valid mixed, plus idle connections holding every client slot).
# Expect: all answered or dropped, loop responsive; a real request works
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin victim "$FLAKY"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle victim bystander
fault_baseline
bchecks=$(state bystander checks)

# 3 s at 1,000 requests a second: pings, restarts of an unknown plugin
# and 7 kinds of malformed packet, each on its own connection.
out=$("$CTLFLOOD" "$SOCK" 1000 3 0) || fail "flood: $out"
echo "flood: $out"
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
p99=$(sed -n 's/.*ping_p99_ms=\([0-9.]*\).*/\1/p' <<<"$out")
[ "$sent" -ge 2800 ] || fail "only $sent requests sent"
awk -v p="$p99" 'BEGIN { exit !(p < 100) }' || fail "ping p99 $p99 ms"

# 100 idle connections (more than the 64 client slots) with 200/s more:
# each idle one holds a slot for 1 s (64, then the other 36), then every
# request is answered again.
out=$("$CTLFLOOD" "$SOCK" 200 4 100) || fail "idle flood: $out"
echo "idle + flood: $out"

kill -0 "$SUPERVISOR_PID" || fail "supervisor died"
# Checks went on during the flood, without a failure.
[ "$(state bystander checks)" -gt $((bchecks + 20)) ] ||
	fail "bystander checks: $bchecks -> $(state bystander checks)"
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
assert_eq "$(state victim total_failures)" 0 "victim failures"
assert_eq "$(state victim total_restarts)" 0 "victim restarts"
# Rejections are logged at most 10 a second, the rest counted.
rej=$(grep -c 'msg="control request rejected"' "$SVLOG")
echo "rejections logged: $rej"
[ "$rej" -le 120 ] || fail "$rej rejections logged in about 6 s"
log_has 'msg="control requests rejected without logging" count='
# A valid request still works.
out=$(ctl restart victim)
case "$out" in accepted*) ;; *) fail "restart after flood: $out" ;; esac
wait_cond 5 "victim restarted" '[ "$(state victim total_restarts)" = 1 ]'
fault_settle victim
fault_finish
