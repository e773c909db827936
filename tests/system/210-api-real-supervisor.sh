#!/bin/bash
# The apiserver against a real supervisor and real plugins: every overall
# status rule, the seed's JSON key sets, restarts that really restart, the
# rate limit, supervisor down and back (new generation picked up), and an
# apiserver crash that touches no plugin.
. "$(dirname "$0")/common.sh"

SUPERVISOR_TOML='restarts_per_minute = 2'
HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
failure_threshold = 2
max_restarts = 1
restart_backoff = "100ms"'
write_config
install_plugin ok1 "$PLUGIN_BIN/antiabuse/antiabuse"
install_plugin ok2 "$PLUGIN_BIN/flaky/flaky"
start_supervisor
URL="http://127.0.0.1:$PORT"

start_api() {
	run_bg api "$BIN/vigil-apiserver" --config "$T/vigil.toml"
	API_PID=$LAST_PID
	wait_for 10 "apiserver" curl -s -o /dev/null "$URL/health/liveness"
}
code() {
	curl -s -o "$T/body" -w '%{http_code}' "$@"
}
expect() {
	local want=$1 got
	shift
	got=$(code "$@")
	[ "$got" = "$want" ] || fail "$* -> $got, want $want: $(cat "$T/body")"
}
j() { jq -r "$1" "$T/body"; }
# has_keys FILTER KEY...: the object at FILTER has at least these keys.
has_keys() {
	local f=$1 k
	shift
	for k in "$@"; do
		[ "$(jq -r "$f | has(\"$k\")" "$T/body")" = true ] ||
			fail "missing key $k in $f: $(cat "$T/body")"
	done
}
status_is() {
	code "$URL/health" >/dev/null
	[ "$(j .status)" = "$1" ]
}

start_api
wait_state ok1 healthy 5
wait_state ok2 healthy 5

# Healthy: the seed's /health shape.
expect 200 "$URL/health"
assert_eq "$(j .status)" healthy "overall status"
has_keys . status timestamp plugins summary
has_keys .plugins.ok1 status lastCheckTime lastHealthyTime failureCount \
    restartCount responseTime healthy
has_keys .summary totalPlugins healthyPlugins unhealthyPlugins \
    restartingPlugins failedPlugins
assert_eq "$(j .summary.totalPlugins)" 2 totalPlugins
assert_eq "$(j .plugins.ok1.healthy)" true "ok1 healthy flag"
j .plugins.ok1.responseTime | grep -Eq '^[0-9.]+(us|ms|s)$' ||
	fail "responseTime $(j .plugins.ok1.responseTime)"
j .timestamp | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' ||
	fail "timestamp $(j .timestamp)"
grep -q '"responseTime":"[^"]*"' "$T/body" || fail "responseTime not a string"

# The seed's /plugins/status shape, with GetInfo's version.
expect 200 "$URL/plugins/status"
has_keys . enabled initialized total connected plugins
has_keys '.plugins[0]' name version description connected executable
assert_eq "$(j '.plugins[] | select(.name == "ok1") | .version')" 1.0.0 version
assert_eq "$(j .connected)" 2 connected
expect 200 "$URL/health/liveness"
expect 200 "$URL/health/readiness"
expect 200 "$URL/health/ok1"
expect 404 "$URL/health/nosuch"

# Degraded: a plugin answering DEGRADED (reload adds it).
install_plugin sad "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_REPORT = "degraded" }'
kill -HUP "$SUPERVISOR_PID"
# "degraded" overall also covers a plugin still starting: wait for sad.
wait_state sad degraded 5
wait_cond 5 "overall degraded" 'status_is degraded'
expect 200 "$URL/health"
expect 200 "$URL/health/readiness"

# Unhealthy, then failed: an optional plugin that reports UNHEALTHY.
install_plugin broken "$PLUGIN_BIN/flaky/flaky" '[vigil]
required = false
env = { FLAKY_REPORT = "unhealthy" }'
kill -HUP "$SUPERVISOR_PID"
wait_state broken failed 10
expect 503 "$URL/health"
assert_eq "$(j .status)" unhealthy "overall status with a failed plugin"
assert_eq "$(j .summary.failedPlugins)" 1 failedPlugins
# Not required: readiness does not depend on it.
expect 200 "$URL/health/readiness"
expect 200 "$URL/health/liveness"

# Manual restart through the API really restarts the process.
pid=$(state ok1 pid)
expect 202 -X POST "$URL/plugins/restart?plugin=ok1"
wait_cond 5 "ok1 restarted" '[ "$(state ok1 pid)" != "$pid" ]'
wait_state ok1 healthy 5
grep -q 'msg="audit: control request" type=restart plugin=ok1 .*client=127.0.0.1' \
    "$T/supervisor.log" || fail "client address not passed to the audit log"
expect 404 -X POST "$URL/plugins/restart?plugin=nosuch"
expect 400 -X POST "$URL/plugins/restart?plugin=Bad%20Name"
expect 400 -X POST "$URL/plugins/restart"
expect 405 "$URL/plugins/restart?plugin=ok1"
# A required plugin restarting: readiness fails until it is back.
expect 202 -X POST "$URL/plugins/restart?plugin=ok1"
code "$URL/health/readiness" >/dev/null
wait_state ok1 healthy 5
# Third restart within a minute: the supervisor's limit (2/min) answers.
expect 429 -X POST "$URL/plugins/restart?plugin=ok1"
curl -s -D - -o /dev/null -X POST "$URL/plugins/restart?plugin=ok1" |
	grep -qi '^Retry-After: [0-9]' || fail "no Retry-After"
# The failed plugin comes back with a manual restart (fixed meanwhile).
sed -i 's/FLAKY_REPORT = "unhealthy"/FLAKY_REPORT = "healthy"/' \
    "$T/plugins/broken/plugin.toml"
kill -HUP "$SUPERVISOR_PID"
wait_state broken healthy 10

# Killing the apiserver touches no plugin.
pids_before=$(for p in ok1 ok2 sad broken; do state $p pid; done | tr '\n' ' ')
kill -KILL "$API_PID"
wait "$API_PID" 2>/dev/null || true
start_api
expect 200 "$URL/health/liveness"
pids_after=$(for p in ok1 ok2 sad broken; do state $p pid; done | tr '\n' ' ')
assert_eq "$pids_after" "$pids_before" "plugin pids across an apiserver crash"

# Supervisor down: liveness and /health fail, the apiserver stays up.
stop_supervisor
wait_cond 10 "liveness 503" '[ "$(code "$URL/health/liveness")" = 503 ]'
expect 503 "$URL/health"
j .reason | grep -q . || fail "no reason with supervisor down"
expect 503 -X POST "$URL/plugins/restart?plugin=ok1"
kill -0 "$API_PID" || fail "apiserver died with the supervisor"

# A new supervisor (new generation) is picked up without restarting it.
start_supervisor
wait_cond 10 "liveness back" '[ "$(code "$URL/health/liveness")" = 200 ]'
wait_cond 10 "all plugins back" 'status_is degraded'
stop_supervisor
echo ok
