#!/bin/bash
# Row: a plugin writes 100 MB to stdout as fast as it can.
# Expect: drained, logging capped, loop and other checks unaffected
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin flood "$MISBEHAVE" "$(misbehave_manifest flood-stdout 100 \
    'MISBEHAVE_AFTER_MS = "500"')"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle flood bystander
fault_baseline
rss0=$(rss_kb "$SUPERVISOR_PID")
bchecks=$(state bystander checks)

# The writer is a child of the plugin; it prints "flood done" 1.1 s after
# the last byte, so that line in the log means everything was read.
start=$(date +%s%N)
max_age=0
while ! grep -q 'plugin=flood stream=stdout line="misbehave: flood done"' "$SVLOG"; do
	age=$("$TOOLS/vigilstate" "$SHM" supervisor | sed -n 's/.*heartbeat_age_ms=\([0-9]*\).*/\1/p')
	[ "${age:-0}" -gt "$max_age" ] && max_age=$age
	[ $(( ($(date +%s%N) - start) / 1000000000 )) -lt 60 ] || fail "flood not drained in 60 s"
	sleep 0.1
done
ms=$(( ($(date +%s%N) - start) / 1000000 - 1100 ))
echo "100 MB drained in about $ms ms; heartbeat age at most $max_age ms"
[ "$max_age" -lt 1000 ] || fail "loop stalled: heartbeat age $max_age ms"
lines=$(grep -c 'msg="plugin output" plugin=flood stream=stdout' "$SVLOG")
dropped=$(sed -n 's/.*msg="plugin output dropped" plugin=flood stream=stdout lines=\([0-9]*\).*/\1/p' "$SVLOG" | awk '{ s += $1 } END { print s + 0 }')
echo "logged $lines lines, reported $dropped dropped"
# 100 lines a second per stream at most (plus one window of slack).
[ "$lines" -le $(( (ms / 1000 + 3) * 100 )) ] || fail "$lines lines logged in $ms ms"
[ "$dropped" -gt 0 ] || fail "no drop reported"
# 25,600 lines of 4 KiB: each one logged (cut) or counted as dropped.
[ $((lines + dropped)) -ge 25600 ] || fail "logged + dropped = $((lines + dropped))"
# Long lines are cut at 1 KiB in the log.
len=$(grep -m1 'msg="plugin output" plugin=flood stream=stdout' "$SVLOG" | sed 's/.*line=//' | wc -c)
[ "$len" -le 1100 ] || fail "logged line of $len bytes"
# Everyone stayed healthy, the bystander was checked throughout.
assert_eq "$(state flood state)" healthy "flood plugin"
assert_eq "$(state flood total_restarts)" 0 "flood restarts"
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
[ "$(state bystander checks)" -gt $((bchecks + ms / 400)) ] ||
	fail "bystander checks: $bchecks -> $(state bystander checks) in $ms ms"
rss1=$(rss_kb "$SUPERVISOR_PID")
echo "supervisor RSS $rss0 -> $rss1 kB"
[ "$rss1" -lt $((rss0 + 4096)) ] || fail "RSS grew from $rss0 to $rss1 kB"
fault_finish
