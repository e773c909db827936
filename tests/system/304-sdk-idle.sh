#!/bin/bash
# An idle SDK plugin does not wake up: its loop sleeps in the completion
# queue until a call or a timer is due (no periodic polling, which cost
# every plugin 20 wake-ups and ~2 ms of CPU a second). A stop signal still
# wakes it at once, and so does a call.
. "$(dirname "$0")/common.sh"

GC=$VIGIL_BUILD/tests/tools/grpccall
BM=$VIGIL_BUILD/tests/fixtures/bench-min
ADDR=127.0.0.1:$PORT
WINDOW=2	# seconds of idleness observed

alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
# Context switches of the plugin's main thread (the loop).
switches() {
	awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }' \
	    "/proc/$1/task/$1/status"
}

run_bg idle env PLUGIN_GRPC_ADDRESS="$ADDR" "$BM"
P=$LAST_PID
wait_for 10 "bench-min on $ADDR" "$GC" "$ADDR" health

# The window is the measurement itself, not a wait for an event.
s0=$(switches "$P")
sleep "$WINDOW"
s1=$(switches "$P")
woke=$((s1 - s0))
echo "idle loop woke $woke times in $WINDOW s"
# A poll every 50 ms would be 40; allow a few for gRPC's own timers.
[ "$woke" -le 6 ] || fail "idle loop woke $woke times in $WINDOW s"

# Still answers at once after the idle spell.
OUT=$("$GC" "$ADDR" health 2>&1) || fail "health call failed: $OUT"
grep -q '^status=SERVING\|^status=HEALTHY' <<<"$OUT" ||
    fail "unexpected health answer: $OUT"

# SIGTERM wakes the sleeping loop: it exits within the grace period
# (2 s) even though no call or timer is due.
kill -TERM "$P"
t0=$(date +%s%N)
for _ in $(seq 1 100); do alive "$P" || break; sleep 0.02; done
alive "$P" && fail "idle plugin still running 2 s after SIGTERM"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "stopped ${ms} ms after SIGTERM"
EXIT=0; wait "$P" || EXIT=$?
assert_eq "$EXIT" 0 "exit code after SIGTERM"
grep -q 'stopped' "$T/idle.log" || fail "no clean stop in the log"
echo "ok"
