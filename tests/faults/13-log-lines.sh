#!/bin/bash
# Row: a plugin writes 10,000 log lines a second (stderr) for 3 s.
# Expect: 100 lines/s logged, the rest counted; loop unaffected
. "$(dirname "$0")/../system/common.sh"
. "$(dirname "$0")/lib.bash"

write_config
install_plugin chatty "$MISBEHAVE" "$(misbehave_manifest log-lines 10000 \
    'MISBEHAVE_AFTER_MS = "300", MISBEHAVE_SECONDS = "3"')"
install_plugin bystander "$ANTIABUSE"
start_supervisor
fault_settle chatty bystander
fault_baseline
bchecks=$(state bystander checks)

# The writer prints "burst done" 1.1 s after its last line: the
# supervisor then closes the last window and reports its drops.
wait_for 15 "burst done" grep -q 'plugin=chatty stream=stderr line="misbehave: burst done' "$SVLOG"
sent=$(sed -n 's/.*line="misbehave: burst done, \([0-9]*\) lines".*/\1/p' "$SVLOG")
lines=$(grep -c 'msg="plugin output" plugin=chatty stream=stderr line="misbehave: log line' "$SVLOG")
dropped=$(sed -n 's/.*msg="plugin output dropped" plugin=chatty stream=stderr lines=\([0-9]*\).*/\1/p' "$SVLOG" | awk '{ s += $1 } END { print s + 0 }')
echo "sent $sent, logged $lines, dropped $dropped"
[ "$lines" -le 500 ] || fail "$lines lines logged in 3 s"
[ "$lines" -ge 200 ] || fail "only $lines lines logged"
[ "$sent" -ge 29000 ] || fail "the plugin sent only $sent lines"
assert_eq "$((lines + dropped))" "$sent" "logged + dropped"
assert_eq "$(state chatty state)" healthy "chatty plugin"
assert_eq "$(state bystander total_failures)" 0 "bystander failures"
[ "$(state bystander checks)" -gt $((bchecks + 10)) ] || fail "bystander not checked"
fault_finish
