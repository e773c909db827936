#!/bin/bash
# POST /plugins/restart: forwarded with client and principal, every
# supervisor answer mapped to its HTTP status, audit-logged.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

write_config 'rate_limit_per_minute = 1000'
start_writer "plugin antiabuse state=healthy"
start_api

# fake STATUS [RETRY [MESSAGE]]: (re)start the fake control socket.
fake() {
	[ -n "${FAKE_PID:-}" ] && stop_pid "$FAKE_PID"
	rm -f "$T/fakectl.log"
	run_bg fakectl "$TOOLS/fakectl" "$SOCK" "$@"
	FAKE_PID=$LAST_PID
	wait_for 5 "fakectl ready" grep -q '^ready' "$T/fakectl.log"
}

restart() {
	code "/plugins/restart?plugin=${1:-antiabuse}" -X POST
}

# Supervisor unreachable: no socket.
assert_eq "$(restart)" 503 "no control socket"

fake accepted
assert_eq "$(restart)" 202 "accepted"
assert_eq "$(jbody .status)" accepted "accepted body"
assert_eq "$(jbody .plugin)" antiabuse "accepted plugin"
line=$(grep '^request' "$T/fakectl.log")
echo "$line" | grep -Eq '^request type=restart plugin=antiabuse client=127\.0\.0\.1:[0-9]+ principal=$' ||
	fail "forwarded request: $line"
grep 'msg="restart request"' "$T/api.log" | grep 'plugin=antiabuse' |
	grep 'result=accepted' | grep -q 'client=127.0.0.1:' || fail "no audit line"

fake in_progress
assert_eq "$(restart)" 202 "in progress"
assert_eq "$(jbody .status)" in_progress "in progress body"

fake unknown_plugin
assert_eq "$(restart nosuch)" 404 "unknown plugin"

fake rate_limited 17 "slow down"
hdr=$(curl -s -D - -o "$T/body" -X POST "$URL/plugins/restart?plugin=antiabuse" | tr -d '\r')
echo "$hdr" | head -n1 | grep -q ' 429 ' || fail "rate limited: $hdr"
echo "$hdr" | grep -qx 'Retry-After: 17' || fail "Retry-After: $hdr"

fake bad_request
assert_eq "$(restart)" 400 "bad request"
fake refused
assert_eq "$(restart)" 403 "refused"
fake error
assert_eq "$(restart)" 500 "error"
fake garbage
assert_eq "$(restart)" 503 "garbage reply"
fake hang
start=$(date +%s%N)
assert_eq "$(restart)" 503 "hanging supervisor"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 4000 ] || fail "hanging supervisor took ${ms} ms"
fake accepted

# Client errors never reach the supervisor.
before=$(grep -c '^request' "$T/fakectl.log" || true)
assert_eq "$(code /plugins/restart -X POST)" 400 "missing plugin"
assert_eq "$(code '/plugins/restart?plugin=' -X POST)" 400 "empty plugin"
assert_eq "$(code '/plugins/restart?plugin=a&plugin=b' -X POST)" 400 "duplicate"
jbody .message | grep -q duplicate || fail "duplicate message: $(body)"
assert_eq "$(code '/plugins/restart?plugin=../etc' -X POST)" 400 "traversal"
assert_eq "$(code '/plugins/restart?plugin=%2Fetc' -X POST)" 400 "encoded slash"
assert_eq "$(code '/plugins/restart?plugin=%ff' -X POST)" 400 "invalid utf-8"
assert_eq "$(code '/plugins/restart?plugin=%zz' -X POST)" 400 "bad escape"
assert_eq "$(code '/plugins/restart?plugin=antiabuse' -X GET)" 405 "GET"
assert_eq "$(code '/plugins/restart?plugin=antiabuse' -X PUT)" 405 "PUT"
after=$(grep -c '^request' "$T/fakectl.log" || true)
assert_eq "$after" "$before" "requests forwarded for client errors"

# Per-client rate limit on management endpoints (3 a minute).
stop_pid "$API_PID"
write_config 'rate_limit_per_minute = 3'
start_api
for i in 1 2 3; do assert_eq "$(restart)" 202 "within limit ($i)"; done
hdr=$(curl -s -D - -o "$T/body" -X POST "$URL/plugins/restart?plugin=antiabuse" | tr -d '\r')
echo "$hdr" | head -n1 | grep -q ' 429 ' || fail "not rate limited: $hdr"
echo "$hdr" | grep -Eq '^Retry-After: [0-9]+$' || fail "no Retry-After: $hdr"
# Probes are not rate limited.
for i in 1 2 3 4 5; do expect_code 200 /health; done
api_alive
echo "restart ok"
