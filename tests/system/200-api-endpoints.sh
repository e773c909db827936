#!/bin/bash
# Every endpoint answers with the seed's JSON shapes and the right headers.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

start_writer \
    "plugin antiabuse state=healthy pid=4242 response_ms=15 last_check=now last_healthy=now version=1.0.0 \"description=Anti-abuse rate limiting plugin\" executable=/path/to/plugin" \
    "flags +ready"
start_api

# /health: the seed's keys (plus ours), types, plugin entry keys.
expect_code 200 /health
[ "$(jbody '[.status,.summary.totalPlugins,.summary.healthyPlugins]|join(" ")')" = "healthy 1 1" ] ||
	fail "/health: $(body)"
for k in status timestamp plugins summary; do
	jq -e "has(\"$k\")" "$T/body" >/dev/null || fail "/health lacks $k"
done
assert_eq "$(jbody '.plugins.antiabuse|keys|join(",")')" \
	"failureCount,healthy,lastCheckTime,lastHealthyTime,responseTime,restartCount,status" \
	"/health plugin keys"
assert_eq "$(jbody '.summary|[.totalPlugins,.healthyPlugins,.unhealthyPlugins,.restartingPlugins,.failedPlugins]|map(type)|unique|join(",")')" \
	"number" "summary types"
assert_eq "$(jbody '.plugins.antiabuse.responseTime')" "15ms" "responseTime"
jbody '.timestamp' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' ||
	fail "timestamp not RFC 3339 UTC: $(jbody .timestamp)"
assert_eq "$(jbody '.plugins.antiabuse.healthy')" "true" "healthy"

# Headers on a JSON response: exact content type, no caching.
hdr=$(curl -s -D - -o /dev/null "$URL/health" | tr -d '\r')
echo "$hdr" | grep -qx 'Content-Type: application/json' || fail "content type: $hdr"
echo "$hdr" | grep -qx 'Cache-Control: no-store' || fail "cache control: $hdr"

# /plugins/status: the seed's shape.
expect_code 200 /plugins/status
assert_eq "$(jbody '[.enabled,.initialized,.total,.connected]|map(tostring)|join(" ")')" \
	"true true 1 1" "/plugins/status top level"
for k in name version description connected executable; do
	jq -e ".plugins[0]|has(\"$k\")" "$T/body" >/dev/null ||
		fail "/plugins/status entry lacks $k"
done
assert_eq "$(jbody '.plugins[0].executable')" "/path/to/plugin" "executable"
grep -q '\\/' "$T/body" && fail "slashes escaped: $(body)"

# /plugins/health: every record field.
expect_code 200 /plugins/health
assert_eq "$(jbody '.plugins[0]|[.pid,.consecutiveFailures,.totalChecks,.lastExitCode]|map(tostring)|join(" ")')" \
	"4242 0 0 -1" "/plugins/health fields"

# /health/{plugin}
expect_code 200 /health/antiabuse
assert_eq "$(jbody '.plugin.name')" "antiabuse" "plugin name"
assert_eq "$(jbody '.plugin.status')" "healthy" "plugin status"
expect_code 404 /health/nosuchplugin
assert_eq "$(jbody '.code')" "404" "404 body"
hdr=$(curl -s -D - -o /dev/null "$URL/health/nosuchplugin" | tr -d '\r')
grep -qx 'Content-Type: application/json' <<<"$hdr" || fail "404 not JSON"

# Probes.
expect_code 200 /health/liveness
assert_eq "$(jbody .status)" "alive" "liveness"
expect_code 200 /health/readiness
assert_eq "$(jbody .status)" "ready" "readiness"

# Methods: HEAD works, others get 405 with Allow.
assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/health")" 200 "HEAD"
for m in POST PUT DELETE PATCH OPTIONS; do
	expect_code 405 /health -X "$m"
	hdr=$(curl -s -D - -o /dev/null -X "$m" "$URL/health" | tr -d '\r')
	grep -qx 'Allow: GET, HEAD' <<<"$hdr" || fail "$m: no Allow header"
done
expect_code 405 /plugins/restart
hdr=$(curl -s -D - -o /dev/null "$URL/plugins/restart?plugin=antiabuse" | tr -d '\r')
grep -qx 'Allow: POST' <<<"$hdr" || fail "restart GET: no Allow: POST"

# Unknown paths: 404 JSON.
for p in /nope /health/liveness/x /plugins /plugins/status/x /metricsx; do
	expect_code 404 "$p"
	jq -e '.error and .message' "$T/body" >/dev/null || fail "$p: body not JSON error"
done

# /metrics answers with the Prometheus content type.
hdr=$(curl -s -D - -o /dev/null "$URL/metrics" | tr -d '\r')
grep -q '^Content-Type: text/plain; version=0.0.4' <<<"$hdr" || fail "metrics content type"
api_alive
echo "endpoints ok"
