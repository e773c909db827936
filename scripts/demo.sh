#!/bin/bash
# Run the Vigil demo: supervisor, API with dashboard, five demo plugins.
#
# Usage: VIGIL_BUILD=/abs/build/dir scripts/demo.sh   (what `make demo` runs)
#
# Everything lives in a private directory (mktemp -d) that is removed on
# exit together with the shared-memory segment; Ctrl-C or SIGTERM stops
# both daemons (and so every plugin) first. Works as root (the apiserver
# drops to user vigil, plugins run as vigil-plugin) and as a normal user.
#
# Environment:
#   VIGIL_BUILD         build directory (default: <repo>/build)
#   VIGIL_DEMO_PORT     HTTP port (default 8080)
#   VIGIL_DEMO_ADDR     listen address (default 0.0.0.0)
#   VIGIL_DEMO_TIMEOUT  seconds to wait for every plugin (default 30)
#   VIGIL_DEMO_LOGS     1: follow the daemons' logs on the terminal,
#                       0: do not (default: 1 when stdout is a terminal)
#
# Exit status: 0 stopped cleanly on request, 1 could not start (missing
# build, port in use, plugins not up in time) or a daemon died or exited
# with an error while stopping.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${VIGIL_BUILD:-$repo/build}
port=${VIGIL_DEMO_PORT:-8080}
addr=${VIGIL_DEMO_ADDR:-0.0.0.0}
timeout=${VIGIL_DEMO_TIMEOUT:-30}
if [ -t 1 ]; then follow=${VIGIL_DEMO_LOGS:-1}; else follow=${VIGIL_DEMO_LOGS:-0}; fi

PLUGINS="antiabuse steady sluggish crasher sandbox"

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

for f in bin/vigil-supervisor bin/vigil-apiserver plugins/antiabuse/antiabuse \
    plugins/flaky/flaky; do
	[ -x "$build/$f" ] || die "$build/$f missing: run 'make' (or 'make demo')"
done
for c in curl jq; do
	command -v "$c" >/dev/null || die "$c is needed: run 'make deps'"
done
case $port in ''|*[!0-9]*) die "VIGIL_DEMO_PORT must be a number" ;; esac

port_in_use() {
	command -v ss >/dev/null && ss -Hltn "sport = :$port" | grep -q .
}
port_in_use && die "port $port in use: set VIGIL_DEMO_PORT to another port"

# --- runtime directory and clean-up ------------------------------------

# Plugins run as another user when we are root: what we create must be
# readable (and the executables not writable) by others, whatever the
# caller's umask.
umask 022
dir="" shm="/vigil-demo-$$-$RANDOM$RANDOM"
sup_pid="" api_pid="" tail_pid="" status=0

# Wait up to $2 seconds for a daemon sent SIGTERM, then SIGKILL it. Its
# exit status counts: a daemon that fails while stopping (a sanitizer
# report, a crash) fails the demo.
reap_daemon() {
	local pid=$1 secs=$2 name=$3 rc=0 i
	[ -n "$pid" ] || return 0
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$name did not stop within ${secs}s, killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		say "$name exited with status $rc"
		status=1
	fi
}

# Processes whose executable lives in the private directory (plugins).
demo_procs() {
	local p exe
	[ -n "$dir" ] || return 0
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case "$exe" in "$dir"/*) echo "${p#/proc/}" ;; esac
	done
}

cleanup() {
	local rc=$? left pid
	trap '' INT TERM
	set +e
	[ "$rc" -ne 0 ] && status=1
	say "stopping"
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null && wait "$tail_pid" 2>/dev/null
	# Both at once: the apiserver only reads, and takes up to 2 s to stop;
	# the supervisor stops every plugin (Shutdown RPC, then SIGTERM, then
	# SIGKILL after stop_timeout).
	for pid in $api_pid $sup_pid; do
		kill -TERM "$pid" 2>/dev/null
	done
	reap_daemon "$api_pid" 5 apiserver
	reap_daemon "$sup_pid" 15 supervisor
	# Plugins die with the supervisor (PR_SET_PDEATHSIG); this is a net for
	# a supervisor that was killed before it could stop them.
	left=$(demo_procs)
	if [ -n "$left" ]; then
		say "killing leftover plugin processes: $left"
		# shellcheck disable=SC2086 # one pid per word
		kill -KILL $left 2>/dev/null
	fi
	if [ "$status" -ne 0 ] && [ -n "$dir" ]; then
		for f in "$dir"/*.log; do
			[ -s "$f" ] || continue
			echo "--- $(basename "$f") (last 30 lines)"
			tail -n 30 "$f"
		done
	fi
	rm -f "/dev/shm$shm"
	[ -n "$dir" ] && rm -rf "$dir"
	exit "$status"
}
trap cleanup EXIT
# The handlers only end the script; cleanup runs from the EXIT trap.
trap 'exit 0' INT TERM
dir=$(mktemp -d /tmp/vigil-demo.XXXXXX)
chmod 0755 "$dir"

# --- plugins -------------------------------------------------------------

# plugin NAME BINARY MANIFEST_TAIL: a plugin directory with a copy of the
# binary (made by us, so root-owned and mode 0755 when we are root).
plugin() {
	local name=$1 bin=$2 tail=$3 exe
	exe=${bin##*/}
	mkdir -p "$dir/plugins/$name"
	cp "$bin" "$dir/plugins/$name/$exe"
	chmod 0755 "$dir/plugins/$name/$exe"
	cat >"$dir/plugins/$name/plugin.toml" <<EOF
[plugin]
name = "$name"
version = "1.0.0"
executable = "$exe"
protocol_version = "1.0"
$tail
EOF
}

flaky=$build/plugins/flaky/flaky
plugin antiabuse "$build/plugins/antiabuse/antiabuse" '
# A short window so the table empties again soon after a load burst:
# about 12 000 requests fill it past 90 % and it reports degraded.
[plugin.config]
window_seconds = 30
limit = 100
capacity = 10000
degraded_percent = 90'
plugin steady "$flaky" '
# Healthy, always.
[plugin.config]
report = "healthy"'
plugin sluggish "$flaky" '
# Answers every health check 1.3 s late: over degraded_latency (1 s),
# within check_timeout (2 s), so it stays degraded but usable.
[plugin.config]
report = "healthy"
slow_health_ms = 1300'
plugin crasher "$flaky" '
# Exits with status 1 about 45 s after each start; Vigil restarts it.
# stable_period (30 s) passes between crashes, so it never reaches failed.
[plugin.config]
report = "healthy"
crash_after_ms = 45000'
plugin sandbox "$flaky" '
# Healthy until you break it from the dashboard.
[plugin.config]
report = "healthy"'

# --- configuration -------------------------------------------------------

# The dashboard is served from the repository, so no install is needed.
# The apiserver reads it as user vigil when started as root: if that user
# cannot reach the checkout (a home directory of mode 0700), use a copy.
www=$repo/apiserver/www
if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=vigil --regid=vigil \
    --clear-groups test -r "$www/index.html" 2>/dev/null; then
	cp -r "$www" "$dir/www"
	chmod -R a+rX "$dir/www"
	www=$dir/www
fi

cat >"$dir/vigil.toml" <<EOF
# Written by scripts/demo.sh: short intervals so that changes show at once.
[supervisor]
plugin_dir = "$dir/plugins"
runtime_dir = "$dir/run"
control_socket = "$dir/run/control.sock"
shm_name = "$shm"
demo = true
restarts_per_minute = 20

[health]
check_interval = "2s"
check_timeout = "2s"
failure_threshold = 2
success_threshold = 1
max_restarts = 5
restart_backoff = "1s"
max_restart_backoff = "10s"
stable_period = "30s"
degraded_latency = "1s"
start_timeout = "10s"
stop_timeout = "3s"

[api]
listen = "$addr:$port"
dashboard = true
www_dir = "$www"
heartbeat_timeout = "3s"
rate_limit_per_minute = 60

[logging]
level = "info"
EOF

# --- daemons -------------------------------------------------------------

"$build/bin/vigil-supervisor" --config "$dir/vigil.toml" \
    >"$dir/supervisor.log" 2>&1 &
sup_pid=$!
"$build/bin/vigil-apiserver" --config "$dir/vigil.toml" \
    >"$dir/apiserver.log" 2>&1 &
api_pid=$!

url_host=$addr
[ "$addr" = 0.0.0.0 ] && url_host=localhost
url="http://$url_host:$port"
probe="http://127.0.0.1:$port"
[ "$addr" != 0.0.0.0 ] && probe=$url

# all_up: every demo plugin is healthy or degraded according to /health.
# The supervisor pid check makes sure the answer comes from this demo.
all_up() {
	curl -s --max-time 2 "$probe/health" | jq -e --arg names "$PLUGINS" \
	    --argjson pid "$sup_pid" '
	    ($names | split(" ")) as $want
	    | .supervisor.up and .supervisor.pid == $pid
	      and ([$want[] as $n | .plugins[$n].status]
	      | all(. == "healthy" or . == "degraded"))' >/dev/null 2>&1
}

daemons_alive() {
	kill -0 "$sup_pid" 2>/dev/null || die "the supervisor exited at start-up"
	kill -0 "$api_pid" 2>/dev/null ||
	    die "the apiserver exited at start-up (port $port in use? set VIGIL_DEMO_PORT)"
}

say "starting in $dir (supervisor pid $sup_pid, apiserver pid $api_pid)"
start=$(date +%s%N)
deadline=$(( start + timeout * 1000000000 ))
until all_up; do
	daemons_alive
	[ "$(date +%s%N)" -lt "$deadline" ] ||
	    die "plugins not all healthy within ${timeout}s"
	sleep 0.2
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
say "every plugin is up after ${ms} ms"
echo
echo "  Vigil demo dashboard: $url/"
echo
echo "  Plugins: antiabuse (rate limiter), steady (healthy), sluggish (slow:"
echo "  degraded), crasher (crashes every ~45 s), sandbox (break it from the page)."
echo "  API: $url/health  $url/plugins/health  $url/metrics"
echo "  Logs: $dir/*.log (removed on exit). Ctrl-C stops everything."
echo

if [ "$follow" = 1 ]; then
	tail -q -n 0 -F "$dir/supervisor.log" "$dir/apiserver.log" 2>/dev/null &
	tail_pid=$!
fi

# Wait for a signal (the trap ends the script) or a daemon's death.
set +e
wait -n "$sup_pid" "$api_pid"
set -e
if ! kill -0 "$sup_pid" 2>/dev/null; then
	say "the supervisor exited unexpectedly"
else
	say "the apiserver exited unexpectedly"
fi
status=1
exit 1
