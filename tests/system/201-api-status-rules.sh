#!/bin/bash
# Each overall-status rule of /health, readiness and /health/{plugin}.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

start_writer
start_api

# overall STATUS HTTP: /health must say STATUS with code HTTP.
overall() {
	wait_for 5 "/health -> $1/$2" \
	    bash -c "[ \"\$(curl -s -o '$T/body' -w '%{http_code}' '$URL/health')\" = $2 ] &&
	             [ \"\$(jq -r .status '$T/body')\" = $1 ]"
}

# Zero plugins: healthy, total 0, ready.
overall healthy 200
assert_eq "$(jbody .summary.totalPlugins)" 0 "zero plugins"
expect_code 200 /health/readiness

# All healthy.
send plugin a state=healthy
send plugin b state=healthy required=0
overall healthy 200

# Degraded when none is unhealthy/failed but some are not healthy.
for st in degraded unknown starting restarting stopped; do
	send plugin b state="$st"
	overall degraded 200
	assert_eq "$(jbody ".plugins.b.status")" "$st" "plugin b state"
done

# Unhealthy (503) when any is unhealthy or failed, with a reason.
for st in unhealthy failed; do
	send plugin b state="$st"
	overall unhealthy 503
	jbody .reason | grep -q 'unhealthy or failed' || fail "no reason: $(body)"
	assert_eq "$(jbody ".summary.${st}Plugins")" 1 "${st}Plugins"
done
send plugin b state=restarting
send plugin c state=failed
overall unhealthy 503
send remove c
overall degraded 200

# Readiness: only required plugins count; degraded is ready.
send plugin a state=degraded
send plugin b state=failed required=0
wait_code 200 /health/readiness
send plugin b required=1
wait_code 503 /health/readiness
code /health/readiness >/dev/null
assert_eq "$(jbody '.notReady|join(",")')" "b" "notReady"
assert_eq "$(jbody .status)" "not ready" "readiness status"
send plugin b state=starting
wait_code 503 /health/readiness
send plugin b state=healthy
wait_code 200 /health/readiness

# /health/{plugin}: 200 while usable, 503 otherwise.
expect_code 200 /health/a
send plugin a state=unhealthy failures=3
wait_code 503 /health/a
assert_eq "$(jbody .plugin.failureCount)" 3 "failureCount"
# Liveness never depends on plugin health.
expect_code 200 /health/liveness
api_alive
echo "status rules ok"
