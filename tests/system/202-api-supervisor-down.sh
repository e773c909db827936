#!/bin/bash
# Supervisor down (no segment, stale heartbeat, stopped, bad layout, stuck
# record): probes fail with a reason, the apiserver keeps running, and a
# new supervisor generation is picked up without restarting it.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

start_api

down_because() {
	[ "$(code "$1")" = 503 ] && jbody .reason | grep -q "$2"
}

# down REASON_PATTERN: every probe says so (after the transition). Each
# worker thread has its own libvigil handle, which notices a removed or
# replaced segment within 250 ms of its own: poll every endpoint.
down() {
	wait_for 5 "liveness 503: $1" down_because /health/liveness "$1"
	wait_for 5 "/health 503: $1" down_because /health "$1"
	assert_eq "$(jbody .status)" unhealthy "/health status"
	expect_code 503 /health/readiness
	# Capture first: grep -q closing the pipe early trips pipefail.
	metrics=$(curl -s "$URL/metrics")
	grep -qx 'vigil_supervisor_up 0' <<<"$metrics" ||
		fail "metrics: supervisor_up not 0"
}

# No segment at all.
down 'no state segment'
expect_code 503 /plugins/status
expect_code 503 /health/anything

# A supervisor appears.
start_writer "plugin a state=healthy"
wait_code 200 /health/liveness
gen1=$(jq -r .supervisor.generation "$T/body")
expect_code 200 /health

# Heartbeat stops: stale.
send heartbeat off
down 'heartbeat stale'
# Stale data is still shown by the informational endpoints.
expect_code 200 /plugins/status
assert_eq "$(jbody .total)" 1 "stale total"
send heartbeat on
wait_code 200 /health/liveness

# A record stuck mid-update (writer died inside the seqlock).
send wedge a
wait_code 503 /health
jbody .reason | grep -q 'mid-update' || fail "wedged reason: $(body)"

# The writer exits: segment gone.
send exit
wait "$WRITER_PID" 2>/dev/null || true
down 'no state segment'

# A new supervisor with another plugin set: new generation, no restart.
start_writer "plugin b state=healthy" "plugin c state=degraded"
wait_code 200 /health/liveness
gen2=$(jq -r .supervisor.generation "$T/body")
[ "$gen1" != "$gen2" ] || fail "generation did not change"
expect_code 200 /health
assert_eq "$(jbody '.plugins|keys|join(",")')" "b,c" "new plugin set"
expect_code 404 /health/a

# Clean shutdown flag: stopped.
send flags +shutdown
down 'supervisor stopped'
send exit
wait "$WRITER_PID" 2>/dev/null || true

# Incompatible layout.
start_writer "plugin a state=healthy"
wait_code 200 /health/liveness
send badversion
down 'incompatible'
api_alive
echo "supervisor-down handling ok"
