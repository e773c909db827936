# Shared helpers for system tests; source it first thing in every test.
#
# Gives each test a private directory $T (plugins, runtime dir, logs), a
# unique shared-memory name $SHM, control socket $SOCK and TCP port $PORT,
# and an EXIT trap that stops every process the test started (and their
# process groups), removes the segment and the directory.
set -euo pipefail

: "${VIGIL_BUILD:?}" "${VIGIL_SRC:?}"
BIN=$VIGIL_BUILD/bin
RUNID="$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
T=$(mktemp -d "/tmp/vigil-test.XXXXXX")
chmod 0755 "$T"
SHM="/vigil-test-$RUNID"
SOCK="$T/run/control.sock"
mkdir -p "$T/plugins" "$T/run"
PIDS=()

# ASan: leaks and errors fail the process; keep reports in the log.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=66}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=67}"

cleanup() {
	local rc=$?
	set +e
	# Only children still running: a pid that was waited for may already
	# belong to another process (pid_max can be as low as 32768).
	local live
	live=$(jobs -rp)
	for pid in $live; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $live; do
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# Anything still carrying this test's directory in its command line.
	pkill -KILL -f -- "$T/" 2>/dev/null
	rm -f "/dev/shm${SHM}"
	if [ "$rc" -ne 0 ]; then
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f"
			tail -n 60 "$f"
		done
	fi
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

. "$VIGIL_SRC/tests/system/ports.bash"
PORT=$(free_port) || fail "no free port"

# wait_for TIMEOUT_SECONDS DESCRIPTION COMMAND...: poll until COMMAND works.
wait_for() {
	local timeout=$1 what=$2
	shift 2
	local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while [ "$(date +%s%N)" -lt "$deadline" ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out after ${timeout}s waiting for: $what"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

# run_bg NAME CMD...: start CMD in the background, log to $T/NAME.log.
run_bg() {
	local name=$1
	shift
	"$@" >"$T/$name.log" 2>&1 &
	PIDS+=($!)
	LAST_PID=$!
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- supervisor helpers ----------------------------------------------------

TOOLS=$VIGIL_BUILD/tests/tools
PLUGIN_BIN=$VIGIL_BUILD/plugins
FIXTURE_BIN=$VIGIL_BUILD/tests/fixtures

# Fast health settings for tests; a test may set HEALTH_TOML instead, and
# add keys with SUPERVISOR_TOML / API_TOML.
DEFAULT_HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
failure_threshold = 3
success_threshold = 2
max_restarts = 5
restart_backoff = "100ms"
max_restart_backoff = "1s"
start_timeout = "3s"
stop_timeout = "2s"'

# write_config: $T/vigil.toml for this test's paths and port.
write_config() {
	local health=${HEALTH_TOML:-$DEFAULT_HEALTH_TOML}
	cat >"$T/vigil.toml" <<CFG
[supervisor]
plugin_dir = "$T/plugins"
runtime_dir = "$T/run"
control_socket = "$SOCK"
shm_name = "$SHM"
${SUPERVISOR_TOML:-}

[health]
$health

[api]
listen = "127.0.0.1:$PORT"
heartbeat_timeout = "2s"
${API_TOML:-}

[logging]
level = "${LOG_LEVEL:-info}"
CFG
}

# install_plugin NAME BINARY [EXTRA_MANIFEST_TOML]: a plugin directory with
# the binary and a manifest; EXTRA goes after the [plugin] table.
install_plugin() {
	local name=$1 bin=$2 extra=${3:-}
	mkdir -p "$T/plugins/$name"
	cp "$bin" "$T/plugins/$name/$(basename "$bin")"
	chmod 0755 "$T/plugins/$name/$(basename "$bin")"
	cat >"$T/plugins/$name/plugin.toml" <<MAN
[plugin]
name = "$name"
version = "0.0.1-manifest"
executable = "$(basename "$bin")"
protocol_version = "1.0"
description = "from the manifest"
$extra
MAN
}

start_supervisor() {
	run_bg supervisor "$BIN/vigil-supervisor" --config "$T/vigil.toml" "$@"
	SUPERVISOR_PID=$LAST_PID
	# This supervisor's segment, not one a killed predecessor left behind
	# (its records would satisfy wait_state before we have even started).
	wait_cond 10 "segment of supervisor $SUPERVISOR_PID" \
	    '"$TOOLS/vigilstate" "$SHM" supervisor 2>/dev/null |
	    grep -q "^pid=$SUPERVISOR_PID "'
}

# state NAME [FIELD]: a field of NAME's record (default: state).
state() {
	"$TOOLS/vigilstate" "$SHM" get "$1" "${2:-state}"
}

# wait_state NAME STATE SECONDS
wait_state() {
	"$TOOLS/vigilstate" "$SHM" wait "$1" "$2" "$(( $3 * 1000 ))" >/dev/null ||
		fail "$1 did not become $2 within $3 s (now: $(state "$1" 2>/dev/null))"
}

stop_supervisor() {
	kill -TERM "$SUPERVISOR_PID"
	local i
	for i in $(seq 1 200); do
		kill -0 "$SUPERVISOR_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$SUPERVISOR_PID" 2>/dev/null && fail "supervisor did not exit"
	wait "$SUPERVISOR_PID"
}

# Processes whose executable lives under $T (the test's plugins).
test_procs() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case "$exe" in "$T"/*) echo "${p#/proc/}" ;; esac
	done
}

# Zombie children of a pid.
zombies_of() {
	ps -o pid=,stat= --ppid "$1" | awk '$2 ~ /^Z/ {print $1}'
}

fd_count() { ls "/proc/$1/fd" | wc -l; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# wait_cond SECONDS DESCRIPTION 'SHELL CONDITION': poll until the condition
# (re-evaluated each time) holds.
wait_cond() {
	local timeout=$1 what=$2 cond=$3
	local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while [ "$(date +%s%N)" -lt "$deadline" ]; do
		if eval "$cond" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out after ${timeout}s waiting for: $what"
}

# log_ms_between FILE PATTERN1 PATTERN2: milliseconds from the first line
# matching PATTERN1 to the next line matching PATTERN2, by log timestamps.
# With "all", prints the delay for every such pair.
log_delays() {
	awk -v p1="$2" -v p2="$3" '
	function ms(t,   a, b) { split(t, a, "T"); split(a[2], b, ":");
		return ((b[1] * 60 + b[2]) * 60 + b[3]) * 1000 }
	index($0, p1) { s = ms($1); next }
	index($0, p2) && s { print int(ms($1) - s + 0.5); s = 0 }
	' "$1"
}

# Whether PID is still one of this test's plugin processes (a bare kill -0
# could hit an unrelated process that reused the pid).
plugin_alive() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	case "$exe" in "$T"/*) return 0 ;; esac
	return 1
}
