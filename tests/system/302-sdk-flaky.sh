#!/bin/bash
# The flaky test plugin does what its FLAKY_* variables and its config say:
# report a state, hang or slow health checks, crash by code or signal,
# exit at once, never get ready, start late, ignore SIGTERM and Shutdown.
. "$(dirname "$0")/common.sh"

GC=$VIGIL_BUILD/tests/tools/grpccall
FLAKY=$VIGIL_BUILD/plugins/flaky/flaky
ADDR=127.0.0.1:$PORT

call() { RC=0; OUT=$("$GC" "$@" 2>&1) || RC=$?; }
field() { sed -n "s/^$1=//p" <<<"$OUT" | head -n 1; }
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
wait_exit() {
	local i
	for i in $(seq 1 $(($2 * 20))); do alive "$1" || break; sleep 0.05; done
	alive "$1" && fail "pid $1 still running after $2 s"
	EXIT=0; wait "$1" || EXIT=$?
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
listening() { ss -Hltn "sport = :$PORT" | grep -q .; }
# flaky NAME VAR=VALUE...: start flaky with these variables on $ADDR.
flaky() {
	local name=$1
	shift
	run_bg "$name" env PLUGIN_GRPC_ADDRESS="$ADDR" "$@" "$FLAKY"
	FL=$LAST_PID
}
up() { wait_for 10 "flaky answers" "$GC" "$ADDR" info; }
stop() { kill -TERM "$FL"; wait_exit "$FL" 5; assert_eq "$EXIT" 0 "$1 exit"; }

# report, from the environment, then overridden by the config.
flaky report FLAKY_REPORT=degraded
up
call "$ADDR" health
assert_eq "$(field status)" DEGRADED "FLAKY_REPORT"
call "$ADDR" init '{"report": "unhealthy"}'
assert_eq "$(field success)" 1 "init"
call "$ADDR" health
assert_eq "$(field status)" UNHEALTHY "config report"
call "$ADDR" grpc-health
assert_eq "$(field status)" NOT_SERVING "grpc health of unhealthy"
call "$ADDR" init '{"report": "sick"}'
assert_eq "$(field success)" 0 "bad config accepted"
call "$ADDR" load 1000
assert_eq "$(field processed)" 1000 "load"
call "$ADDR" inject degraded
call "$ADDR" health
assert_eq "$(field status)" DEGRADED "injected fault wins"
stop report

# hang_health, then slow_health_ms through the config.
flaky hang FLAKY_HANG_HEALTH=1
up
call --timeout-ms 400 "$ADDR" health
assert_eq "$(field error)" DEADLINE_EXCEEDED "hang_health"
call "$ADDR" init '{"hang_health": false, "slow_health_ms": 600}'
t0=$(now_ms)
call "$ADDR" health
took=$(( $(now_ms) - t0 ))
assert_eq "$(field status)" HEALTHY "slow answer"
[ "$took" -ge 550 ] || fail "slow_health_ms: answered in $took ms"
stop hang

# crash_after_ms: exit code 1; with crash_signal: killed by that signal.
t0=$(now_ms)
flaky crash FLAKY_CRASH_AFTER_MS=500
wait_exit "$FL" 5
assert_eq "$EXIT" 1 "crash_after_ms exit code"
[ $(( $(now_ms) - t0 )) -ge 450 ] || fail "crashed too early"
flaky crashsig FLAKY_CRASH_AFTER_MS=300 FLAKY_CRASH_SIGNAL=KILL
wait_exit "$FL" 5
assert_eq "$EXIT" 137 "killed by SIGKILL"
flaky crashcfg
up
call "$ADDR" init '{"crash_after_ms": 200, "crash_signal": "SIGSEGV"}'
assert_eq "$(field success)" 1 "init with crash"
wait_exit "$FL" 5
assert_eq "$EXIT" 139 "killed by SIGSEGV"

# exit_at_once: from the environment before listening; from the config
# when Initialize arrives (which then gets no answer).
flaky exit FLAKY_EXIT_AT_ONCE=4
wait_exit "$FL" 3
assert_eq "$EXIT" 4 "exit_at_once"
flaky exitcfg
up
call "$ADDR" init '{"exit_at_once": 5}'
assert_eq "$RC" 2 "Initialize answered by an exiting plugin"
wait_exit "$FL" 3
assert_eq "$EXIT" 5 "exit_at_once from config"

# never_ready: never listens (env) / never answers Initialize (config).
flaky never FLAKY_NEVER_READY=1
sleep 1
alive "$FL" || fail "never_ready exited"
listening && fail "never_ready listens"
stop never
flaky nevercfg
up
call --timeout-ms 500 "$ADDR" init '{"never_ready": true}'
assert_eq "$(field error)" DEADLINE_EXCEEDED "never_ready Initialize"
call "$ADDR" health
assert_eq "$(field status)" HEALTHY "health still answered"
stop nevercfg

# start_delay_ms: listening only after the delay.
t0=$(now_ms)
flaky late FLAKY_START_DELAY_MS=1000
sleep 0.4
listening && fail "listening before start_delay_ms"
up
[ $(( $(now_ms) - t0 )) -ge 950 ] || fail "start_delay_ms not honoured"
stop late

# ignore_sigterm: SIGTERM and the Shutdown RPC do nothing; SIGINT stops it.
flaky stubborn FLAKY_IGNORE_SIGTERM=1
up
kill -TERM "$FL"
sleep 0.5
alive "$FL" || fail "ignore_sigterm died on SIGTERM"
call "$ADDR" shutdown
assert_eq "$(field success)" 0 "Shutdown refused"
sleep 0.3
alive "$FL" || fail "ignore_sigterm exited on Shutdown"
call "$ADDR" health
assert_eq "$(field status)" HEALTHY "still healthy"
kill -INT "$FL"
wait_exit "$FL" 5
assert_eq "$EXIT" 0 "exit on SIGINT"

# A bad FLAKY_* value is a start-up error (exit 1) with a reason.
flaky bad FLAKY_REPORT=sick
wait_exit "$FL" 3
assert_eq "$EXIT" 1 "bad option exit"
grep -q "bad value for report" "$T/bad.log" || fail "no reason logged"
echo "ok"
