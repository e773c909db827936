#!/bin/bash
# /metrics passes `promtool check metrics` and reports what /health shows.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

command -v promtool >/dev/null || { echo "promtool not installed (Debian package prometheus)"; exit 77; }

start_writer "plugin antiabuse state=healthy response_ms=15 checks=10 total_failures=2 total_restarts=1 last_check=now" \
    "plugin flaky state=failed failures=4"
start_api
for p in /health /health/liveness /nope /health/flaky; do code "$p" >/dev/null; done

curl -s "$URL/metrics" >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" || fail "promtool check metrics failed"

m() { grep -x "$1" "$T/metrics.txt" >/dev/null || fail "missing line: $1"; }
m 'vigil_supervisor_up 1'
m 'vigil_plugin_up{plugin="antiabuse"} 1'
m 'vigil_plugin_up{plugin="flaky"} 0'
m 'vigil_plugin_state{plugin="flaky",state="failed"} 1'
m 'vigil_plugin_state{plugin="flaky",state="healthy"} 0'
m 'vigil_plugin_consecutive_failures{plugin="flaky"} 4'
m 'vigil_plugin_checks_total{plugin="antiabuse"} 10'
m 'vigil_plugin_failures_total{plugin="antiabuse"} 2'
m 'vigil_plugin_restarts_total{plugin="antiabuse"} 1'
m 'vigil_plugin_health_check_duration_seconds{plugin="antiabuse"} 0.015000'
m 'vigil_api_requests_total{endpoint="health",code="503"} 1'
grep -q '^vigil_api_requests_total{endpoint="other",code="404"} [1-9]' "$T/metrics.txt" || fail "404 counter"
m 'vigil_api_requests_total{endpoint="plugin_health",code="503"} 1'
grep -q '^vigil_supervisor_heartbeat_age_seconds ' "$T/metrics.txt" || fail "heartbeat age"
grep -q '^vigil_plugin_last_check_timestamp_seconds{plugin="antiabuse"} 1[0-9]\{9\}' \
    "$T/metrics.txt" || fail "last check timestamp"
# Each state has a series for each plugin: 2 plugins x 8 states.
assert_eq "$(grep -c '^vigil_plugin_state{' "$T/metrics.txt")" 16 "state series"

# With the supervisor gone the exposition still validates.
send exit
wait "$WRITER_PID" 2>/dev/null || true
wait_for 5 "supervisor_up 0" bash -c "curl -s '$URL/metrics' | grep -qx 'vigil_supervisor_up 0'"
curl -s "$URL/metrics" | promtool check metrics || fail "promtool (down)"
echo "metrics ok"
