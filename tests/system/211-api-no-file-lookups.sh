#!/bin/bash
# The apiserver looks up no file per request. CivetWeb, left alone, looks
# for a password file beside every resource, ours too: "/.htpasswd" at
# the root of the file system, one stat per request, and a file there put
# digest authentication (401) in front of every endpoint, probes included.
# libvigil maps the segment once and looks the name up again every 250 ms
# per worker, not per request. Counted with strace over 400 requests on
# one keep-alive connection. Alone: the lookups it allows come with time
# (one per worker every 250 ms), so a slowed run could exceed the bound.
# vigil-test: alone
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

command -v strace >/dev/null || fail "strace is not installed (make deps)"

start_writer "plugin one state=healthy last_check=now last_healthy=now" \
    "flags +ready"
write_config
# LeakSanitizer cannot run under ptrace (the ASan build's exit would be
# 66); the other tests check this binary for leaks.
run_bg api env ASAN_OPTIONS="${ASAN_OPTIONS}:detect_leaks=0" \
    strace -f -qq -o "$T/trace" -e trace=%file \
    "$API_BIN" --config "$T/vigil.toml"
STRACE_PID=$LAST_PID
wait_for 20 "apiserver on $URL (under strace)" curl -sf -o /dev/null "$URL/health"

args=()
for _ in $(seq 1 100); do
	for p in /health /health/readiness /plugins/status /plugins/health; do
		args+=(-o /dev/null "$URL$p")
	done
done
before=$(wc -l <"$T/trace")
curl -sf "${args[@]}" || fail "a request failed"
after=$(wc -l <"$T/trace")
lookups=$((after - before))
echo "file system calls during 400 requests: $lookups"
if grep -q 'htpasswd' "$T/trace"; then
	fail "CivetWeb looks for a password file: $(grep -m 3 htpasswd "$T/trace")"
fi
[ "$lookups" -lt 40 ] ||
	fail "$lookups file system calls for 400 requests: $(tail -n 5 "$T/trace")"

# The apiserver is strace's child: stop it, strace ends with it.
api=$(pgrep -P "$STRACE_PID") || fail "apiserver not found under strace"
kill -TERM "$api"
wait "$STRACE_PID" || fail "apiserver exit status $? (under strace)"
echo "ok"
