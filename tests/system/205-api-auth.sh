#!/bin/bash
# Bearer token, wrong-token lockout, allowlist, auth_probes, and refusing
# a token file others can read.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

TOKEN=test-token-0123456789abcdef
printf '%s\n' "$TOKEN" >"$T/token"
chmod 0600 "$T/token"

# A token file readable by others: refuse to start (exit 1).
cp "$T/token" "$T/token.open"
chmod 0644 "$T/token.open"
write_config "token_file = \"$T/token.open\""
rc=0
"$API_BIN" --config "$T/vigil.toml" >"$T/refused.log" 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status with a world-readable token"
grep -q 'group/world' "$T/refused.log" || fail "no reason: $(cat "$T/refused.log")"

write_config "token_file = \"$T/token\""
start_writer "plugin antiabuse state=healthy"
run_bg fakectl "$TOOLS/fakectl" "$SOCK" accepted
wait_for 5 "fakectl" grep -q '^ready' "$T/fakectl.log"
start_api
R="/plugins/restart?plugin=antiabuse"

# Missing token: 401 with a Bearer challenge.
hdr=$(curl -s -D - -o "$T/body" -X POST "$URL$R" | tr -d '\r')
echo "$hdr" | head -n1 | grep -q ' 401 ' || fail "no token: $hdr"
echo "$hdr" | grep -q '^WWW-Authenticate: Bearer' || fail "challenge: $hdr"
assert_eq "$(code "$R" -X POST -H 'Authorization: Basic Zm9vOmJhcg==')" 401 "basic auth"

# Right token: accepted, principal passed on.
assert_eq "$(code "$R" -X POST -H "Authorization: Bearer $TOKEN")" 202 "right token"
grep -q "^request type=restart plugin=antiabuse client=127.0.0.1:[0-9]* principal=token$" \
    "$T/fakectl.log" || fail "principal: $(cat "$T/fakectl.log")"
grep 'msg="restart request"' "$T/api.log" | grep -q 'principal=token' || fail "audit principal"

# Wrong token: 403, then locked out (429) after repeated failures.
assert_eq "$(code "$R" -X POST -H "Authorization: Bearer ${TOKEN}x")" 403 "wrong token"
assert_eq "$(code "$R" -X POST -H "Authorization: Bearer ${TOKEN:1}")" 403 "short token"
for i in 1 2 3; do code "$R" -X POST -H 'Authorization: Bearer nope' >/dev/null; done
hdr=$(curl -s -D - -o "$T/body" -X POST -H "Authorization: Bearer $TOKEN" "$URL$R" | tr -d '\r')
echo "$hdr" | head -n1 | grep -q ' 429 ' || fail "no lockout: $hdr"
echo "$hdr" | grep -Eq '^Retry-After: [0-9]+$' || fail "lockout Retry-After: $hdr"

# Probes stay open without auth_probes.
expect_code 200 /health
expect_code 200 /metrics
stop_pid "$API_PID"

# auth_probes = true: read endpoints need the token too.
write_config "token_file = \"$T/token\"
auth_probes = true"
start_api
for p in /health /health/liveness /health/readiness /plugins/status /metrics /health/antiabuse; do
	expect_code 401 "$p"
	expect_code 200 "$p" -H "Authorization: Bearer $TOKEN"
done
expect_code 403 /health -H "Authorization: Bearer wrong-token"
stop_pid "$API_PID"

# Allowlist: 127.0.0.1 is not in 10.0.0.0/8, so management is refused
# even with the right token; probes are not affected.
write_config "token_file = \"$T/token\"
allow = [\"10.0.0.0/8\", \"192.168.0.0/16\"]"
start_api
assert_eq "$(code "$R" -X POST -H "Authorization: Bearer $TOKEN")" 403 "allowlist"
jbody .message | grep -q 'not allowed' || fail "allowlist message: $(body)"
expect_code 200 /health
stop_pid "$API_PID"
write_config "allow = [\"127.0.0.0/8\"]"
start_api
assert_eq "$(code "$R" -X POST)" 202 "allowlisted, no token configured"
stop_pid "$API_PID"

# A bad CIDR is a configuration error.
write_config 'allow = ["10.0.0.0/40"]'
rc=0
"$API_BIN" --config "$T/vigil.toml" >"$T/badcidr.log" 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status with a bad CIDR"
echo "auth ok"
