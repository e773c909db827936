#!/bin/bash
# docs/examples/circuit_breaker.c: fails fast with 503 when a plugin is not
# available, answers 200 when it is.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

CB=$TOOLS/circuit_breaker

# No supervisor at all.
assert_eq "$("$CB" "$SHM" antiabuse || true)" "503 plugin unavailable" "no segment"

start_writer "plugin antiabuse state=healthy" "plugin flaky state=failed"
assert_eq "$("$CB" "$SHM" antiabuse)" "200 ok" "healthy"
rc=0; "$CB" "$SHM" flaky >/dev/null || rc=$?
assert_eq "$rc" 3 "failed plugin exit status"
assert_eq "$("$CB" "$SHM" nosuch || true)" "503 plugin unavailable" "unknown plugin"
send plugin antiabuse state=degraded
wait_for 5 "degraded is available" "$CB" "$SHM" antiabuse
send plugin antiabuse state=restarting
wait_for 5 "restarting is unavailable" bash -c "! '$CB' '$SHM' antiabuse"
send plugin antiabuse state=healthy
wait_for 5 "healthy again" "$CB" "$SHM" antiabuse

# Fast: no blocking on anything (20 runs, generous for sanitizer builds).
start=$(date +%s%N)
for i in $(seq 1 20); do "$CB" "$SHM" antiabuse >/dev/null; done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 10000 ] || fail "20 checks took ${ms} ms"

# A silent supervisor opens the circuit (max heartbeat age 300 ms).
send heartbeat off
wait_for 5 "stale heartbeat opens the circuit" \
    bash -c "[ \"\$('$CB' '$SHM' antiabuse 300)\" = '503 plugin unavailable' ]"
echo "circuit breaker ok (${ms} ms for 20 checks)"
