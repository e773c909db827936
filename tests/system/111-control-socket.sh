#!/bin/bash
# The control socket: every field validated, unknown plugins and malformed
# packets refused without harm, rate limit and in-flight limit per plugin,
# audit log, socket mode, simulation refused outside demo mode, and (as
# root) peers of another uid kept out.
. "$(dirname "$0")/common.sh"

SUPERVISOR_TOML='restarts_per_minute = 2'
HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
start_timeout = "3s"'
write_config
install_plugin target "$PLUGIN_BIN/flaky/flaky"
install_plugin slowstart "$PLUGIN_BIN/flaky/flaky" '[vigil]
env = { FLAKY_START_DELAY_MS = "1500" }'
start_supervisor
wait_state target healthy 5
wait_state slowstart healthy 8

mode=$(stat -c %a "$SOCK")
assert_eq "$mode" "660" "socket mode"

expect() {
	local want=$1; shift
	local out
	out=$("$TOOLS/ctlsend" "$SOCK" "$@")
	case "$out" in "$want"*) echo "$* -> $out" ;;
	*) fail "$*: expected $want, got: $out" ;; esac
}
expect unknown_plugin restart nosuch
expect bad_request restart "Bad/../name"
for kind in garbage short long nonul badtype badversion; do
	out=$("$TOOLS/ctlsend" "$SOCK" raw $kind)
	case "$out" in bad_request*|no-answer*) ;;
	*) fail "malformed ($kind) answered: $out" ;; esac
done
expect refused simulate target crash
expect refused load target "" 100

# In flight: slowstart takes 1.5 s to come up, so a second request finds
# the first still running.
expect accepted restart slowstart
expect in_progress restart slowstart
wait_state slowstart healthy 8

# Rate limit: 2 per minute per plugin.
expect accepted restart target
wait_state target healthy 5
expect accepted restart target
wait_state target healthy 5
out=$("$TOOLS/ctlsend" "$SOCK" restart target)
case "$out" in rate_limited*) ;; *) fail "third restart: $out" ;; esac
retry=$(echo "$out" | sed -n 's/.*retry_after=\([0-9]*\).*/\1/p')
[ "$retry" -ge 1 ] && [ "$retry" -le 60 ] || fail "retry_after=$retry"

grep -q 'msg="audit: control request" type=restart plugin=target action="" peer_uid='"$(id -u)"' peer_pid=[0-9]* client=test-client principal=tester outcome=rate_limited' \
    "$T/supervisor.log" || fail "audit line missing"
grep -q 'msg="control request rejected"' "$T/supervisor.log" ||
	fail "malformed requests not logged"
kill -0 "$SUPERVISOR_PID" || fail "supervisor died"

if is_root; then
	# Another uid may not even connect (0660 root:vigil).
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$TOOLS/ctlsend" "$SOCK" restart target || true)
	case "$out" in unreachable*) echo "nobody: $out" ;;
	*) fail "uid nobody reached the socket: $out" ;; esac
	group=$(stat -c %G "$SOCK")
	assert_eq "$group" "$(id -gn vigil)" "socket group"
fi
stop_supervisor
echo ok
