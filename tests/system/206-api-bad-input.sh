#!/bin/bash
# Bad-input battery: every request gets a clean 4xx, slow clients are cut
# off within request_timeout, and the server keeps answering.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

start_writer "plugin antiabuse state=healthy"
start_api

# is4xx CODE WHAT
is4xx() {
	case $1 in 4[0-9][0-9]) ;; *) fail "$2: got '$1', want 4xx" ;; esac
}

long=$(head -c 10000 /dev/zero | tr '\0' a)
is4xx "$(code "/health/$long")" "over-long URL"
jq -e .error "$T/body" >/dev/null || fail "over-long URL: body not JSON"
is4xx "$(code /health -H "X-Long: $long")" "over-long header"
hdrs=()
for i in $(seq 1 100); do hdrs+=(-H "X-H$i: v"); done
# CivetWeb keeps the first 64 headers and ignores the rest: no error.
case $(code /health "${hdrs[@]}") in 200|4??) ;; *) fail "too many headers" ;; esac

for m in FOO TRACE PROPFIND; do is4xx "$(code /health -X "$m")" "method $m"; done
for m in CONNECT DELETE; do assert_eq "$(code /health -X "$m")" 405 "method $m"; done

# Path traversal, encoded slashes and dots, bad escapes, invalid UTF-8.
for p in '/health/../../etc/passwd' '/health/..%2f..%2fetc%2fpasswd' \
    '/health/%2e%2e%2f%2e%2e%2fetc' '/health/%2e%2e' '/health/a%2Fb' \
    '/health/%ff%fe' '/health/%c3%a9' '/health/%C0%AE%C0%AE' \
    '/health/Antiabuse' '/health/antiabuse/' '/health/antiabuse/x' \
    '/../../etc/passwd' '/health//antiabuse' '/%2e%2e/health'; do
	is4xx "$(code "$p")" "$p"
	jq -e '.error' "$T/body" >/dev/null || fail "$p: body not a JSON error"
done
for p in '/health/a%00b' '/health/a%zz' '/health/%' '/health/%4'; do
	assert_eq "$(code "$p")" 400 "$p"
done
# Percent-encoded but valid name: the same resource.
assert_eq "$(code /health/%61ntiabuse)" 200 "encoded valid name"
# Raw invalid UTF-8 bytes in the request line.
is4xx "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health/$(printf '\xff\xfe')")" "raw bytes"

# Query problems.
assert_eq "$(code '/plugins/restart?plugin=a&plugin=a' -X POST)" 400 "duplicate"
assert_eq "$(code '/plugins/restart?' -X POST)" 400 "empty query"
assert_eq "$(code '/plugins/restart?plugin' -X POST)" 400 "no value"

# Bodies: too large, or chunked (unbounded).
assert_eq "$(code /health -X POST --data-binary "$long")" 405 "POST body on GET endpoint"
assert_eq "$(code '/plugins/restart?plugin=antiabuse' -X POST --data-binary "$long")" 413 "large body"
assert_eq "$(code '/plugins/restart?plugin=antiabuse' -X POST -H 'Transfer-Encoding: chunked' --data-binary x)" 413 "chunked"
assert_eq "$(code /health -H 'Content-Length: 99999999')" 413 "GET with huge body"

# HTTP versions.
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /health HTTP/9.9\r\n\r\n' >&5
reply=$(timeout 5 head -n1 <&5 | tr -d '\r')
exec 5>&-
echo "$reply" | grep -q '^HTTP/1.1 4' || fail "HTTP/9.9: $reply"

# A slow client that sends half a request is cut off within the 2 s
# request_timeout.
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /health HTTP/1.1\r\nHost: x\r\n' >&5
start=$(date +%s%N)
timeout 6 cat <&5 >"$T/slow.out" || true
ms=$(( ($(date +%s%N) - start) / 1000000 ))
exec 5>&-
[ "$ms" -lt 4000 ] || fail "slow client held for ${ms} ms"
grep -q '^HTTP/1.1 4' "$T/slow.out" || fail "slow client got: $(cat "$T/slow.out")"

# More stalled clients than worker threads (4): others are served again
# once request_timeout frees the workers.
for fd in 10 11 12 13 14 15; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /health HTTP/1.1\r\n' >&$fd
done
start=$(date +%s%N)
assert_eq "$(curl -s -m 8 -o /dev/null -w '%{http_code}' "$URL/health")" 200 "served after stall"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 6000 ] || fail "normal client waited ${ms} ms"
for fd in 10 11 12 13 14 15; do eval "exec $fd>&-"; done

# An idle keep-alive client does not keep its worker: after the 1 s
# keep-alive timeout the server closes it.
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n' >&5
start=$(date +%s%N)
timeout 5 cat <&5 >/dev/null || true
ms=$(( ($(date +%s%N) - start) / 1000000 ))
exec 5>&-
[ "$ms" -lt 3000 ] || fail "idle keep-alive held for ${ms} ms"

api_alive
expect_code 200 /health
echo "bad input ok"
