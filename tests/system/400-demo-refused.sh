#!/bin/bash
# Simulation is demo-only. Without [supervisor] demo = true the fault and
# load commands are refused: "refused" on the control socket, 403 over
# HTTP, and nothing happens to the plugin. With it they are accepted and
# act: a crash fault makes the plugin restart, a load fills antiabuse's
# table until it reports degraded. Client errors never reach the
# supervisor, and every request is audit-logged.
. "$(dirname "$0")/common.sh"

URL="http://127.0.0.1:$PORT"
# Checks get 500 ms, and failed checks never restart a plugin here: on a
# loaded machine no restart may happen by accident (crashes still restart
# at once: an exit needs no failed checks).
HEALTH_TOML='check_interval = "500ms"
check_timeout = "500ms"
failure_threshold = 100
success_threshold = 1
restart_backoff = "100ms"
max_restart_backoff = "1s"
start_timeout = "10s"
stop_timeout = "2s"'
API_TOML='rate_limit_per_minute = 1000'
write_config
install_plugin target "$PLUGIN_BIN/flaky/flaky"
install_plugin antiabuse "$PLUGIN_BIN/antiabuse/antiabuse"
start_supervisor
run_bg api "$BIN/vigil-apiserver" --config "$T/vigil.toml"
API_PID=$LAST_PID
wait_for 10 "apiserver on $URL" curl -s -o /dev/null "$URL/health"
wait_state target healthy 5
wait_state antiabuse healthy 5

# post PATH: POST, body in $T/body, prints the status code. The battery
# below sends more management requests than the rate limit's burst (10);
# this test is not about the limit (203 is), so it behaves like a client
# and honours a 429's Retry-After (at most 5 tries).
post() {
	local code i wait
	for i in 1 2 3 4 5; do
		code=$(curl -s -o "$T/body" -D "$T/post-headers" \
		    -w '%{http_code}' -X POST "$URL$1")
		[ "$code" = 429 ] || break
		wait=$(tr -d '\r' <"$T/post-headers" |
		    sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9][0-9]*\)$/\1/p')
		sleep "${wait:-1}"
	done
	echo "$code"
}

# ctl WANT ARGS...: a control-socket request must be answered WANT.
ctl() {
	local want=$1 out
	shift
	out=$("$TOOLS/ctlsend" "$SOCK" "$@")
	case "$out" in "$want"*) echo "ctl $* -> $out" ;;
	*) fail "ctl $*: expected $want, got: $out" ;; esac
}

# --- without demo mode ---------------------------------------------------
curl -s "$URL/health" | jq -e '.supervisor.demo == false' >/dev/null ||
	fail "/health says demo mode is on"
pid=$(state target pid)
restarts=$(state target total_restarts)
for fault in crash hang slow degraded unhealthy recover; do
	ctl refused simulate target "$fault"
	assert_eq "$(post "/plugins/simulate?plugin=target&fault=$fault")" 403 \
	    "HTTP simulate $fault without demo mode"
done
jq -r .message "$T/body" | grep -q 'demo = true' ||
	fail "403 does not say how to enable simulation: $(cat "$T/body")"
ctl refused load antiabuse "" 1000
assert_eq "$(post '/plugins/load?plugin=antiabuse&requests=1000')" 403 \
    "HTTP load without demo mode"
assert_eq "$(post '/plugins/simulate?plugin=target&fault=slow&delay_ms=500')" \
    403 "HTTP slow with delay"
# Nothing reached the plugin: no fault was sent, no simulated crash (exit
# status 3), the same process.
sleep 1
assert_eq "$(state target pid)" "$pid" "pid after refused crash"
assert_eq "$(state target total_restarts)" "$restarts" \
    "restarts after refused crash"
grep -q 'msg="simulating fault"' "$T/supervisor.log" &&
	fail "a fault was sent without demo mode"
grep -q 'simulation:' "$T/supervisor.log" &&
	fail "the plugin saw a simulation without demo mode"
grep -q 'status="exit status 3"' "$T/supervisor.log" &&
	fail "the plugin crashed without demo mode"
[ "$(state target exit_code)" != 3 ] || fail "exit code 3 without demo mode"
assert_eq "$(state antiabuse details | grep -o 'entries=[0-9]*')" \
    "entries=0" "antiabuse table after refused load"
grep 'msg="simulate request"' "$T/api.log" | grep 'plugin=target' |
	grep 'fault=crash' | grep -q 'status=403' ||
	fail "refused simulate not audit-logged"
grep 'msg="load request"' "$T/api.log" | grep 'requests=1000' |
	grep -q 'status=403' || fail "refused load not audit-logged"

# Client errors: answered by the apiserver alone.
assert_eq "$(post '/plugins/simulate?plugin=target')" 400 "no fault"
assert_eq "$(post '/plugins/simulate?plugin=target&fault=explode')" 400 \
    "unknown fault"
assert_eq "$(post '/plugins/simulate?fault=crash')" 400 "no plugin"
assert_eq "$(post '/plugins/simulate?plugin=../x&fault=crash')" 400 "bad name"
assert_eq "$(post '/plugins/simulate?plugin=target&fault=crash&fault=hang')" \
    400 "duplicate fault"
assert_eq "$(post '/plugins/simulate?plugin=target&fault=slow&delay_ms=-5')" \
    400 "negative delay"
assert_eq "$(post '/plugins/simulate?plugin=target&fault=slow&delay_ms=9999999')" \
    400 "delay too long"
assert_eq "$(post '/plugins/load?plugin=antiabuse')" 400 "no requests"
assert_eq "$(post '/plugins/load?plugin=antiabuse&requests=0')" 400 "0 requests"
assert_eq "$(post '/plugins/load?plugin=antiabuse&requests=1e3')" 400 "1e3"
assert_eq "$(post '/plugins/load?plugin=antiabuse&requests=1000001')" 400 \
    "too many requests"
for ep in simulate load; do
	code=$(curl -s -o /dev/null -D "$T/hdr" -w '%{http_code}' \
	    "$URL/plugins/$ep?plugin=target")
	assert_eq "$code" 405 "GET /plugins/$ep"
	grep -qi '^Allow: POST' "$T/hdr" || fail "405 without Allow: POST"
done
assert_eq "$(post '/plugins/simulate?plugin=nosuch&fault=crash')" 404 \
    "unknown plugin"

# --- with demo mode ------------------------------------------------------
# The apiserver keeps running and finds the new supervisor's segment.
stop_supervisor
SUPERVISOR_TOML='demo = true' write_config
start_supervisor
wait_state target healthy 5
wait_state antiabuse healthy 5
wait_cond 5 "/health shows demo mode" \
    'curl -s "$URL/health" | jq -e ".supervisor.demo == true"'

pid=$(state target pid)
restarts=$(state target total_restarts)
assert_eq "$(post '/plugins/simulate?plugin=target&fault=crash')" 202 \
    "HTTP crash in demo mode"
assert_eq "$(jq -r '.status + " " + .plugin + " " + .fault' "$T/body")" \
    "accepted target crash" "202 body"
# The simulated crash is exit status 3 (VIGIL_SIM_CRASH_EXIT).
wait_cond 10 "target exited with status 3 and was restarted" \
    '[ "$(state target exit_code)" = 3 ] &&
     [ "$(state target total_restarts)" -gt "$restarts" ]'
wait_state target healthy 10
[ "$(state target pid)" != "$pid" ] || fail "pid unchanged after crash"

# Over the control socket too; "slow" makes checks late (500 ms timeout).
ctl accepted simulate target slow 1500
wait_cond 5 "target failing slow checks" \
    '[ "$(state target total_failures)" -ge 1 ]'
ctl accepted simulate target recover
wait_state target healthy 10

# Load: real rate-limit checks; 20 000 fill the 10 000-entry table.
assert_eq "$(post '/plugins/load?plugin=antiabuse&requests=20000')" 202 \
    "HTTP load in demo mode"
assert_eq "$(jq -r .requests "$T/body")" 20000 "load body"
wait_state antiabuse degraded 5
ctl accepted load antiabuse "" 100
state antiabuse message | grep -q 'full' ||
	fail "antiabuse message: $(state antiabuse message)"

grep 'msg="simulate request"' "$T/api.log" | grep 'fault=crash' |
	grep -q 'result=accepted status=202' || fail "accepted crash not audited"
grep -q 'msg="audit: control request" type=simulate plugin=target action=crash' \
    "$T/supervisor.log" || fail "supervisor audit line missing"
kill -0 "$API_PID" || fail "apiserver died"
stop_supervisor
echo ok
