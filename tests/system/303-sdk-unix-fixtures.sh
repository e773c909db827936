#!/bin/bash
# Addresses and the test fixtures: a unix-socket plugin removes its socket
# on exit; bad or busy addresses are start-up errors (exit 1); the
# health-only fixture serves only grpc.health.v1; the goplugin fixture
# speaks the go-plugin handshake and leaves its socket behind on SIGTERM.
. "$(dirname "$0")/common.sh"

GC=$VIGIL_BUILD/tests/tools/grpccall
AA=$VIGIL_BUILD/plugins/antiabuse/antiabuse
ADDR=127.0.0.1:$PORT

call() { RC=0; OUT=$("$GC" "$@" 2>&1) || RC=$?; }
field() { sed -n "s/^$1=//p" <<<"$OUT" | head -n 1; }
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }
wait_exit() {
	local i
	for i in $(seq 1 $(($2 * 20))); do alive "$1" || break; sleep 0.05; done
	alive "$1" && fail "pid $1 still running after $2 s"
	EXIT=0; wait "$1" || EXIT=$?
}

# --- unix sockets -----------------------------------------------------
S=$T/run/antiabuse.sock
run_bg aa-unix env PLUGIN_GRPC_ADDRESS="unix:$S" "$AA"
P=$LAST_PID
wait_for 10 "antiabuse on $S" "$GC" "unix:$S" info
[ -S "$S" ] || fail "no socket file"
call "unix:$S" health
assert_eq "$(field status)" HEALTHY "health over unix socket"
kill -TERM "$P"
wait_exit "$P" 5
assert_eq "$EXIT" 0 "exit on SIGTERM"
[ -e "$S" ] && fail "socket file left behind after SIGTERM"

run_bg aa-unix2 env PLUGIN_GRPC_ADDRESS="unix:$S" "$AA"
P=$LAST_PID
wait_for 10 "antiabuse on $S" "$GC" "unix:$S" info
call "unix:$S" shutdown
assert_eq "$(field success)" 1 "shutdown over unix"
wait_exit "$P" 5
assert_eq "$EXIT" 0 "exit after Shutdown"
[ -e "$S" ] && fail "socket file left behind after Shutdown"

# --- bad and busy addresses ---------------------------------------------
for a in "" "unix:relative.sock" "127.0.0.1" "127.0.0.1:99999" \
    "unix:/$(printf 'x%.0s' $(seq 1 120))"; do
	run_bg badaddr env PLUGIN_GRPC_ADDRESS="$a" "$AA"
	wait_exit "$LAST_PID" 5
	assert_eq "$EXIT" 1 "exit code for address '$a'"
done
run_bg noaddr env -u PLUGIN_GRPC_ADDRESS "$AA"
wait_exit "$LAST_PID" 5
assert_eq "$EXIT" 1 "exit code without PLUGIN_GRPC_ADDRESS"
grep -q "PLUGIN_GRPC_ADDRESS is not set" "$T/noaddr.log" || fail "no reason"

run_bg first env PLUGIN_GRPC_ADDRESS="$ADDR" "$AA"
P=$LAST_PID
wait_for 10 "first antiabuse" "$GC" "$ADDR" info
run_bg second env PLUGIN_GRPC_ADDRESS="$ADDR" "$AA"
wait_exit "$LAST_PID" 5
assert_eq "$EXIT" 1 "second plugin on a busy port"
grep -q "cannot listen" "$T/second.log" || fail "no reason for busy port"
kill -TERM "$P"
wait_exit "$P" 5

# --- health-only fixture -------------------------------------------------
HO=$VIGIL_BUILD/tests/fixtures/health-only
run_bg health-only env PLUGIN_GRPC_ADDRESS="$ADDR" "$HO"
P=$LAST_PID
wait_for 10 "health-only" "$GC" "$ADDR" grpc-health
call "$ADDR" grpc-health
assert_eq "$(field status)" SERVING "health-only serving"
call "$ADDR" grpc-health health-only
assert_eq "$(field status)" SERVING "health-only by name"
call "$ADDR" health
assert_eq "$RC" 2 "HKPPlugin/HealthCheck exit"
assert_eq "$(field error)" UNIMPLEMENTED "HKPPlugin/HealthCheck"
call "$ADDR" info
assert_eq "$(field error)" UNIMPLEMENTED "HKPPlugin/GetInfo"
kill -TERM "$P"
wait_exit "$P" 5
assert_eq "$EXIT" 0 "health-only exit"
run_bg health-only-down env PLUGIN_GRPC_ADDRESS="$ADDR" \
    HEALTH_STATUS=NOT_SERVING "$HO"
P=$LAST_PID
wait_for 10 "health-only" "$GC" "$ADDR" grpc-health
call "$ADDR" grpc-health plugin
assert_eq "$(field status)" NOT_SERVING "HEALTH_STATUS=NOT_SERVING"
kill -INT "$P"
wait_exit "$P" 5
assert_eq "$EXIT" 0 "health-only exit on SIGINT"

# --- goplugin fixture ---------------------------------------------------------
GP=$VIGIL_BUILD/tests/fixtures/goplugin
mkdir -p "$T/gp"
# gp NAME VAR=VALUE...: start the fixture, stdout to $T/NAME.out.
gp() {
	local name=$1
	shift
	env PLUGIN_UNIX_SOCKET_DIR="$T/gp" "$@" "$GP" >"$T/$name.out" \
	    2>"$T/$name.log" &
	PIDS+=($!)
	P=$!
}
handshake() { [ -s "$T/$1.out" ]; }

gp nocookie
wait_exit "$P" 3
assert_eq "$EXIT" 1 "without the magic cookie"
grep -q "This binary is a plugin" "$T/nocookie.log" || fail "no cookie message"
[ -s "$T/nocookie.out" ] && fail "handshake without cookie"

gp badversion VIGIL_TEST_COOKIE=hello PLUGIN_PROTOCOL_VERSIONS=2,3
wait_exit "$P" 3
assert_eq "$EXIT" 1 "no common protocol version"

gp unix VIGIL_TEST_COOKIE=hello PLUGIN_PROTOCOL_VERSIONS=1,2
wait_for 10 "handshake" handshake unix
assert_eq "$(wc -l <"$T/unix.out")" 1 "handshake lines"
line=$(cat "$T/unix.out")
[[ $line =~ ^1\|1\|unix\|($T/gp/plugin[A-Za-z0-9]+)\|grpc\|$ ]] ||
    fail "handshake line: '$line'"
GS=${BASH_REMATCH[1]}
[ -S "$GS" ] || fail "no socket at $GS"
call "unix:$GS" grpc-health plugin
assert_eq "$(field status)" SERVING "goplugin health"
call "unix:$GS" grpc-health other
assert_eq "$(field error)" NOT_FOUND "goplugin unknown service"
kill -INT "$P"
sleep 0.3
alive "$P" || fail "goplugin died on SIGINT"
kill -TERM "$P"
wait_exit "$P" 5
assert_eq "$EXIT" 143 "goplugin dies of SIGTERM"
[ -S "$GS" ] || fail "goplugin removed its socket on SIGTERM"
rm -f "$GS"

gp tcp VIGIL_TEST_COOKIE=hello PLUGIN_TRANSPORT=tcp
wait_for 10 "handshake" handshake tcp
line=$(cat "$T/tcp.out")
[[ $line =~ ^1\|1\|tcp\|(127\.0\.0\.1:[0-9]+)\|grpc\|$ ]] ||
    fail "tcp handshake line: '$line'"
GA=${BASH_REMATCH[1]}
call "$GA" grpc-health plugin
assert_eq "$(field status)" SERVING "goplugin health over tcp"
call "$GA" controller-shutdown
assert_eq "$RC" 0 "GRPCController/Shutdown"
wait_exit "$P" 5
assert_eq "$EXIT" 0 "exit after GRPCController/Shutdown"

gp ctl VIGIL_TEST_COOKIE=hello
wait_for 10 "handshake" handshake ctl
GS=$(cut -d'|' -f4 "$T/ctl.out")
call "unix:$GS" controller-shutdown
wait_exit "$P" 5
assert_eq "$EXIT" 0 "unix exit after GRPCController/Shutdown"
[ -e "$GS" ] && fail "socket left after a graceful stop"

gp garbage VIGIL_TEST_COOKIE=hello GOPLUGIN_GARBAGE=1
wait_for 10 "garbage line" handshake garbage
grep -q '|grpc|' "$T/garbage.out" && fail "garbage looks like a handshake"
gp silent VIGIL_TEST_COOKIE=hello GOPLUGIN_SILENT=1
sleep 0.5
alive "$P" || fail "silent goplugin exited"
[ -s "$T/silent.out" ] && fail "silent goplugin printed"
echo "ok"
