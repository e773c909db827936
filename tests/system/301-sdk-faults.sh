#!/bin/bash
# Fault injection through vigil.demo.Simulation on the antiabuse plugin:
# hang and slow delay only health answers (the single loop keeps serving
# everything else), degraded/unhealthy are reported, recover undoes them,
# crash exits at once with code 3, and SIGTERM stops a plugin that holds
# unanswered health checks, with exit code 0.
. "$(dirname "$0")/common.sh"

GC=$VIGIL_BUILD/tests/tools/grpccall
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
start_antiabuse() {
	run_bg "antiabuse$1" env PLUGIN_GRPC_ADDRESS="$ADDR" \
	    "$VIGIL_BUILD/plugins/antiabuse/antiabuse"
	AA=$LAST_PID
	wait_for 10 "antiabuse answers" "$GC" "$ADDR" info
}

start_antiabuse 1

# hang: health checks are never answered; the caller's deadline ends them.
call "$ADDR" inject hang
assert_eq "$(field accepted)" 1 "inject hang"
t0=$(now_ms)
call --timeout-ms 400 "$ADDR" health
assert_eq "$(field error)" DEADLINE_EXCEEDED "hung HealthCheck"
[ $(( $(now_ms) - t0 )) -lt 3000 ] || fail "deadline not honoured"
call --timeout-ms 400 "$ADDR" grpc-health
assert_eq "$(field error)" DEADLINE_EXCEEDED "hung grpc health"
# Several hung checks in flight do not block other RPCs.
bg=()
for i in 1 2 3; do
	"$GC" --timeout-ms 1500 "$ADDR" health >/dev/null 2>&1 &
	bg+=($!)
done
sleep 0.2
t0=$(now_ms)
call "$ADDR" ratelimit 192.0.2.1 login
assert_eq "$(field allowed)" 1 "rate limit while health hangs"
[ $(( $(now_ms) - t0 )) -lt 1000 ] || fail "loop blocked by hung checks"
call "$ADDR" inject recover
assert_eq "$(field accepted)" 1 "recover"
call --timeout-ms 2000 "$ADDR" health
assert_eq "$(field status)" HEALTHY "health after recover"
wait "${bg[@]}" || true

# slow: the answer comes after delay_ms; other calls stay fast meanwhile.
call "$ADDR" inject slow 1500
t0=$(now_ms)
"$GC" "$ADDR" health >"$T/slow.out" 2>&1 &
slow=$!
sleep 0.1
t1=$(now_ms)
call "$ADDR" info
[ $(( $(now_ms) - t1 )) -lt 1000 ] || fail "info waited for the slow check"
wait "$slow" || fail "slow health failed: $(cat "$T/slow.out")"
took=$(( $(now_ms) - t0 ))
[ "$took" -ge 1450 ] && [ "$took" -lt 4000 ] || fail "slow health took $took ms"
grep -qx status=HEALTHY "$T/slow.out" || fail "slow answer: $(cat "$T/slow.out")"
call --timeout-ms 300 "$ADDR" health
assert_eq "$(field error)" DEADLINE_EXCEEDED "slow check past deadline"

# degraded / unhealthy are reported by both health services.
call "$ADDR" inject degraded
call "$ADDR" health
assert_eq "$(field status)" DEGRADED "injected degraded"
call "$ADDR" grpc-health
assert_eq "$(field status)" SERVING "degraded is serving"
call "$ADDR" inject unhealthy
call "$ADDR" health
assert_eq "$(field status)" UNHEALTHY "injected unhealthy"
assert_eq "$(field message)" "simulated failure" "message"
call "$ADDR" grpc-health
assert_eq "$(field status)" NOT_SERVING "unhealthy is not serving"
call "$ADDR" inject explode
assert_eq "$(field error)" INVALID_ARGUMENT "unknown fault"
call "$ADDR" inject recover
call "$ADDR" health
assert_eq "$(field status)" HEALTHY "recovered"

# SIGTERM with hung checks in flight: prompt, clean exit.
call "$ADDR" inject hang
bg=()
for i in 1 2; do
	"$GC" --timeout-ms 20000 "$ADDR" health >"$T/held$i.out" 2>&1 &
	bg+=($!)
done
sleep 0.3
t0=$(now_ms)
kill -TERM "$AA"
wait_exit "$AA" 3
assert_eq "$EXIT" 0 "exit status on SIGTERM"
echo "SIGTERM to exit: $(( $(now_ms) - t0 )) ms"
wait "${bg[@]}" || true
grep -qx error=UNAVAILABLE "$T/held1.out" || fail "held check: $(cat "$T/held1.out")"
grep -q "stopped" "$T/antiabuse1.log" || fail "no stop log line"

# crash: the answer arrives, then the process exits with code 3 at once.
start_antiabuse 2
call "$ADDR" inject crash
assert_eq "$(field accepted)" 1 "inject crash"
wait_exit "$AA" 2
assert_eq "$EXIT" 3 "crash exit code"
echo "ok"
