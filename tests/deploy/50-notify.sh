#!/bin/bash
# What vigil-supervisor.service (Type=notify, NotifyAccess=main,
# WatchdogSec=) relies on, with a fake NOTIFY_SOCKET: the real supervisor
# sends READY=1 only after its plugin was started, then WATCHDOG=1 every
# 250 ms (well inside WatchdogSec), every message from its main pid, and
# STOPPING=1 on SIGTERM before exiting 0.
. "$(dirname "$0")/lib.sh"
need

sock=$T/notify.sock
run_bg listener "$PY" "$VIGIL_SRC/tests/deploy/notify_listen.py" "$sock" 30
LISTENER_PID=$LAST_PID
wait_for 5 "notify listener" test -S "$sock"

write_config
install_plugin antiabuse "$PLUGIN_BIN/antiabuse/antiabuse"
NOTIFY_SOCKET=$sock start_supervisor
msgs=$T/listener.log

wait_cond 10 "READY=1" "grep -q ' READY=1' '$msgs'"
wait_cond 5 "4 WATCHDOG=1 after READY=1" \
    "[ \$(sed -n '/ READY=1/,\$p' '$msgs' | grep -c ' WATCHDOG=1$') -ge 4 ]"

# READY=1 comes after the plugin's process was started.
ready_at=$(awk '/ READY=1/ {print $1; exit}' "$msgs")
started_us=$(state antiabuse started_us)
[ "$started_us" -gt 0 ] || fail "plugin never started"
"$PY" -c "import sys; sys.exit(not ($started_us / 1e6 <= $ready_at))" ||
	fail "READY=1 at $ready_at before the plugin started at ${started_us}us"
grep ' READY=1' "$msgs" | grep -q 'STATUS=' || fail "READY=1 without STATUS="

kill -TERM "$SUPERVISOR_PID"
wait_cond 15 "STOPPING=1" "grep -q ' STOPPING=1' '$msgs'"
rc=0
wait "$SUPERVISOR_PID" || rc=$?
assert_eq "$rc" 0 "supervisor exit status"
wait "$LISTENER_PID" || true

# Every message from the supervisor's own pid (NotifyAccess=main).
others=$(awk -v p="$SUPERVISOR_PID" '$1 ~ /^[0-9]/ && $2 != p' "$msgs")
[ -z "$others" ] || fail "messages from another pid: $others"

# WATCHDOG=1 at least every 2 s (every 250 ms when the machine is not
# saturated; WatchdogSec is 10s), and the order
# READY=1 < WATCHDOG=1... < STOPPING=1.
"$PY" - "$msgs" <<'PY' || fail "notification timing"
import sys
lines = [l.rstrip("\n").split(None, 2) for l in open(sys.argv[1])
         if l[0].isdigit()]
kinds = [(float(t), m) for t, _, m in lines]
ready = [t for t, m in kinds if "READY=1" in m.split("|")]
stop = [t for t, m in kinds if m == "STOPPING=1"]
wd = [t for t, m in kinds if m == "WATCHDOG=1" and ready[0] < t < stop[0]]
gaps = [b - a for a, b in zip(wd, wd[1:])]
assert len(ready) == 1, f"READY=1 sent {len(ready)} times"
assert len(wd) >= 4, f"only {len(wd)} WATCHDOG=1 between READY and STOPPING"
assert max(gaps) < 2.0, f"WATCHDOG=1 gap of {max(gaps):.3f}s"
median = sorted(gaps)[len(gaps) // 2]
assert 0.1 < median < 0.75, f"median WATCHDOG=1 gap {median:.3f}s, not ~250 ms"
print(f"READY=1, {len(wd)} WATCHDOG=1 (gaps {min(gaps)*1000:.0f}-"
      f"{max(gaps)*1000:.0f} ms), STOPPING=1")
PY
echo ok
