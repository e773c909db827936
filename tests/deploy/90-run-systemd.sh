#!/bin/bash
# The systemd units' sandbox, as far as it can be reproduced without
# systemd as PID 1 (root only): from the installed units, the supervisor
# runs with exactly CapabilityBoundingSet= and NoNewPrivileges=, and starts
# a TCP and a Unix-socket plugin as vigil-plugin; the apiserver runs as
# User=/Group= with an empty bounding set and no_new_privs, under strace.
# Every endpoint answers, a manual restart goes through, ExecReload
# (SIGHUP) keeps everything running, SIGTERM to the main process alone
# (KillMode=mixed) stops the plugins and exits 0 well within
# TimeoutStopSec. Finally every system call the apiserver made is allowed
# by its SystemCallFilter= (expanded by systemd-analyze itself), and every
# socket family by RestrictAddressFamilies=.
. "$(dirname "$0")/lib.sh"
is_root || { echo "needs root (users, capabilities)"; exit 77; }
need systemd-analyze strace setpriv chrt curl
for u in vigil vigil-plugin; do
	getent passwd "$u" >/dev/null || fail "user $u missing: run make deps"
done
fake_prefix "$PFX"
sup_unit=$PFX/lib/systemd/system/vigil-supervisor.service
api_unit=$PFX/lib/systemd/system/vigil-apiserver.service

# The host layout of docs/OPERATIONS.md: the example config, antiabuse
# linked in, plus a second copy on a Unix socket.
mkdir -p "$T/etc/vigil/plugins/antiabuse-unix"
ln -s "$PFX/libexec/vigil/plugins/antiabuse" "$T/etc/vigil/plugins/antiabuse"
cat >"$T/etc/vigil/plugins/antiabuse-unix/plugin.toml" <<MAN
[plugin]
name = "antiabuse-unix"
executable = "$PFX/libexec/vigil/plugins/antiabuse/antiabuse"
[vigil]
protocol = "hkp"
address = "unix"
MAN
local_config "$PFX/share/vigil/deploy/systemd/vigil.toml" "$T/etc/vigil/vigil.toml"

# ExecStart= of each unit, with --config moved to the test's file.
exec_start() {
	DC unit "$1" Service.ExecStart | sed "s|/etc/vigil/vigil.toml|$T/etc/vigil/vigil.toml|"
}
caps=$(DC unit "$sup_unit" Service.CapabilityBoundingSet | tr '[:upper:]' '[:lower:]')
[ -n "$caps" ] || fail "no CapabilityBoundingSet in the supervisor unit"
user=$(DC unit "$api_unit" Service.User)
assert_eq "$(DC unit "$api_unit" Service.CapabilityBoundingSet)" "" "apiserver bounding set"
echo "supervisor: $caps; apiserver: User=$user, no capabilities"

# shellcheck disable=SC2046,SC2086 # words on purpose
run_bg supervisor $(sup_privs $caps) $(exec_start "$sup_unit")
SUPERVISOR_PID=$LAST_PID
wait_for 10 "supervisor segment" "$TOOLS/vigilstate" "$SHM" supervisor
# strace runs as the service user too (it traces its own child), with
# the unit's CPUSchedulingPolicy= (chrt does what systemd would).
install -d -o "$user" "$T/trace"
policy=$(DC unit "$api_unit" Service.CPUSchedulingPolicy)
assert_eq "$policy" batch "apiserver CPUSchedulingPolicy"
# shellcheck disable=SC2046
run_bg apiserver chrt --batch 0 $(api_privs "$user") strace -f -qq \
    -o "$T/trace/api" $(exec_start "$api_unit")
STRACE_PID=$LAST_PID
wait_for 20 "apiserver" curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/liveness"
wait_state antiabuse healthy 10
wait_state antiabuse-unix healthy 10
for p in antiabuse antiabuse-unix; do
	assert_eq "$(ps -o user= -p "$(state $p pid)")" vigil-plugin "$p user"
done

for path in /health /health/liveness /health/readiness /health/antiabuse \
    /plugins/status /plugins/health /metrics; do
	assert_eq "$(http_code GET "$path")" 200 "GET $path"
done
assert_eq "$(http_code GET /health/nosuch)" 404 "GET /health/nosuch"
check_manual_restart antiabuse-unix

# ExecReload: SIGHUP to $MAINPID; the plugins keep their processes.
reload=$(DC unit "$sup_unit" Service.ExecReload)
pid_before=$(state antiabuse pid)
${reload/\$MAINPID/$SUPERVISOR_PID}
wait_cond 5 "reload logged" "grep -q 'reloading configuration' '$T/supervisor.log'"
sleep 0.5
kill -0 "$SUPERVISOR_PID" || fail "supervisor died on reload"
assert_eq "$(state antiabuse pid)" "$pid_before" "antiabuse pid after reload"
assert_eq "$(state antiabuse)" healthy "antiabuse after reload"
grep -q "reload failed" "$T/supervisor.log" && fail "reload failed"

# KillMode=mixed: SIGTERM to the main process only; it stops the plugins.
stop=$(DC unit "$sup_unit" Service.TimeoutStopSec)
stop_pid "$SUPERVISOR_PID" "${stop%s}"
[ -z "$(prefix_procs | grep -v "^$(pgrep -P "$STRACE_PID")\$")" ] ||
	fail "processes left after the supervisor stopped: $(prefix_procs)"
# The apiserver is strace's child: SIGTERM it, strace ends with it.
api=$(pgrep -P "$STRACE_PID") || fail "apiserver not found under strace"
kill -TERM "$api"
wait_cond 10 "apiserver stopped" "! kill -0 $STRACE_PID"
wait "$STRACE_PID" || fail "apiserver exit status $? (under strace)"
# Nothing the sandbox could cause: no error (a start or cleanup refused),
# no unexpected plugin exit. (A slow check on a loaded machine is a
# warning and does not count.)
bad='level=error|expected=no'
grep -qE "$bad" "$T/supervisor.log" &&
	fail "supervisor logged: $(grep -E "$bad" "$T/supervisor.log")"

DC syscalls "$T/trace/api" "$api_unit"
grep -q 'cannot set the CPU scheduling policy' "$T/apiserver.log" &&
	fail "apiserver: $(grep 'scheduling' "$T/apiserver.log")"
DC families "$T/trace/api" "$api_unit"
echo ok
