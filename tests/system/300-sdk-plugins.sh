#!/bin/bash
# The antiabuse demo plugin started by hand: identity, both health services,
# a rate limiter that really limits, DEGRADED near capacity, bad requests
# refused without harm, and a clean exit on the Shutdown RPC.
. "$(dirname "$0")/common.sh"

GC=$VIGIL_BUILD/tests/tools/grpccall
ADDR=127.0.0.1:$PORT

# call ARGS...: run grpccall; OUT gets its output, RC its exit code.
call() { RC=0; OUT=$("$GC" "$@" 2>&1) || RC=$?; }
# field KEY: the value of KEY=... in OUT.
field() { sed -n "s/^$1=//p" <<<"$OUT" | head -n 1; }
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
# wait_exit PID SECONDS: EXIT gets the status of PID, which must end in time.
wait_exit() {
	local i
	for i in $(seq 1 $(($2 * 20))); do alive "$1" || break; sleep 0.05; done
	alive "$1" && fail "pid $1 still running after $2 s"
	EXIT=0; wait "$1" || EXIT=$?
}

run_bg antiabuse env -i PLUGIN_GRPC_ADDRESS="$ADDR" PLUGIN_NAME=antiabuse \
    PLUGIN_VERSION=1.0.0 ASAN_OPTIONS="$ASAN_OPTIONS" \
    UBSAN_OPTIONS="$UBSAN_OPTIONS" "$VIGIL_BUILD/plugins/antiabuse/antiabuse"
AA=$LAST_PID
wait_for 10 "antiabuse answers" "$GC" "$ADDR" info

# Identity and health, before any Initialize.
call "$ADDR" info
assert_eq "$RC" 0 "info exit"
assert_eq "$(field name)" antiabuse "name"
assert_eq "$(field version)" 1.0.0 "version"
assert_eq "$(field description)" "Anti-abuse rate limiting plugin" "description"
grep -qx "capability=ratelimit" <<<"$OUT" || fail "no ratelimit capability"
call "$ADDR" health
assert_eq "$(field status)" HEALTHY "health"
assert_eq "$(field detail.entries)" 0 "entries"
assert_eq "$(field detail.capacity)" 10000 "default capacity"
for svc in "" antiabuse plugin; do
	call "$ADDR" grpc-health $svc
	assert_eq "$(field status)" SERVING "grpc health '$svc'"
done
call "$ADDR" grpc-health no-such-service
assert_eq "$RC" 2 "unknown service exit"
assert_eq "$(field error)" NOT_FOUND "unknown service"

# Initialize with a bad config is refused; the plugin keeps its settings.
call "$ADDR" init '{"limit": "many"}'
assert_eq "$(field success)" 0 "bad config accepted"
grep -q "limit must be an integer" <<<"$OUT" || fail "no reason: $OUT"
call "$ADDR" init 'not json'
assert_eq "$(field success)" 0 "non-JSON config accepted"
call "$ADDR" init '{"window_seconds": 60, "limit": 3, "capacity": 10}'
assert_eq "$(field success)" 1 "init"
assert_eq "$(field name)" antiabuse "init info"

# The limiter limits: 3 per window per identifier and action.
for i in 1 2 3; do
	call "$ADDR" ratelimit 198.51.100.7 login
	assert_eq "$(field allowed)" 1 "request $i"
	assert_eq "$(field header.X-RateLimit-Remaining)" $((3 - i)) "remaining $i"
	assert_eq "$(field header.X-RateLimit-Limit)" 3 "limit header"
done
call "$ADDR" ratelimit 198.51.100.7 login
assert_eq "$(field allowed)" 0 "4th request"
assert_eq "$(field reason)" "rate limit exceeded" "reason"
retry=$(field retry_after_seconds)
[ "$retry" -ge 1 ] && [ "$retry" -le 120 ] || fail "retry_after $retry"
assert_eq "$(field header.Retry-After)" "$retry" "Retry-After header"
call "$ADDR" ratelimit 198.51.100.7 search
assert_eq "$(field allowed)" 1 "other action"
call "$ADDR" ratelimit 198.51.100.8 login
assert_eq "$(field allowed)" 1 "other identifier"
call "$ADDR" ratelimit "" login
assert_eq "$(field error)" INVALID_ARGUMENT "empty identifier"
call "$ADDR" health
assert_eq "$(field status)" HEALTHY "health at 3/10"
assert_eq "$(field detail.entries)" 3 "entries"
assert_eq "$(field detail.denied)" 1 "denied count"

# Load: real checks through the limiter; the table fills up -> DEGRADED
# (still SERVING for grpc.health: degraded is available).
call "$ADDR" load 12
assert_eq "$(field processed)" 12 "load processed"
call "$ADDR" health
assert_eq "$(field status)" DEGRADED "health near capacity"
grep -q "table 100% full" <<<"$(field message)" || fail "message: $OUT"
call "$ADDR" grpc-health
assert_eq "$(field status)" SERVING "grpc health when degraded"
call "$ADDR" load 2000000
assert_eq "$(field error)" INVALID_ARGUMENT "oversized load"

# Garbage is refused, never fatal.
call "$ADDR" raw /hkpplugin.HKPPlugin/CheckRateLimit 0a05ab
assert_eq "$(field error)" INVALID_ARGUMENT "truncated message"
call "$ADDR" raw /hkpplugin.HKPPlugin/Initialize ffffffffffffffffffff
assert_eq "$(field error)" INVALID_ARGUMENT "bad varint"
call "$ADDR" raw /hkpplugin.HKPPlugin/NoSuchMethod 00
assert_eq "$(field error)" UNIMPLEMENTED "unknown method"
call "$ADDR" raw /grpc.health.v1.Health/Watch ""
assert_eq "$(field error)" UNIMPLEMENTED "Watch"
alive "$AA" || fail "antiabuse died"

# Shutdown RPC: answered, then a clean exit 0 (ASan: no leaks).
call "$ADDR" shutdown "test over"
assert_eq "$(field success)" 1 "shutdown"
wait_exit "$AA" 5
assert_eq "$EXIT" 0 "exit status after Shutdown"
grep -q "shutdown requested: test over" "$T/antiabuse.log" || fail "no log line"
echo "ok"
