# Helpers shared by scripts/bench/*.sh; source it first thing.
#
# Not a benchmark itself (no .sh suffix). Gives each script a private
# directory $T, an EXIT trap that stops every process the script started
# (by pid, with its process group when it has one) and removes the shared
# memory segments it named, and the small statistics and /proc readers the
# benchmarks share. Output: a Markdown fragment on stdout (bench.bash
# collects them into docs/BENCHMARKS.md) and, for every target, one line
# "TARGET<TAB>what<TAB>target<TAB>measured<TAB>met|missed<TAB>note" in
# $BENCH_TARGETS when that is set.
set -euo pipefail

: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory (absolute)}"
VIGIL_SRC=${VIGIL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=$VIGIL_BUILD/bin
TOOLS=$VIGIL_BUILD/tests/tools
BENCH=$VIGIL_BUILD/tests/bench
FIXTURES=$VIGIL_BUILD/tests/fixtures
ROUNDS=${BENCH_ROUNDS:-3}

T=$(mktemp -d /tmp/vigil-bench.XXXXXX)
chmod 0755 "$T"
RUNID="$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
BG_PIDS=()
SHM_NAMES=()

bench_cleanup() {
	local rc=$? pid
	set +e
	for pid in "${BG_PIDS[@]}"; do
		stop_pid "$pid" 5
	done
	for n in "${SHM_NAMES[@]}"; do
		rm -f "/dev/shm$n"
	done
	if [ "$rc" -ne 0 ] && [ -z "${BENCH_KEEP:-}" ]; then
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$T"
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "bench: $*" >&2
}

# A new shared-memory name, removed at exit.
new_shm() {
	local n="/vigil-bench-$1-$RUNID"
	SHM_NAMES+=("$n")
	echo "$n"
}

. "$VIGIL_SRC/tests/system/ports.bash"

# run_bg NAME CMD...: start CMD in its own process group, log to $T/NAME.log.
run_bg() {
	local name=$1
	shift
	setsid "$@" >"$T/$name.log" 2>&1 &
	LAST_PID=$!
	BG_PIDS+=("$LAST_PID")
}

alive() { kill -0 "$1" 2>/dev/null; }

# stop_pid PID [SECONDS]: SIGTERM, wait, then SIGKILL (process and group).
stop_pid() {
	local pid=$1 secs=${2:-10} i
	alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < secs * 20; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		kill -KILL -- "-$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local timeout=$1 what=$2
	shift 2
	local deadline=$(( $(date +%s) + timeout ))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "timed out after ${timeout}s waiting for: $what"
}

# --- statistics --------------------------------------------------------------

# median NUMBER...: the median (mean of the two middle values when even).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) { print "n/a"; exit }
	          if (NR % 2) print v[(NR + 1) / 2];
	          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pctl P FILE: the P-th percentile (nearest rank) of the numbers in FILE.
pctl() {
	sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 }
	    END { if (NR == 0) { print "n/a"; exit }
	          i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1;
	          if (i > NR) i = NR; print v[i] }'
}

# fmt DECIMALS NUMBER
fmt() { awk -v d="$1" -v x="$2" 'BEGIN { printf "%.*f", d, x }'; }

# ratio A B [DECIMALS]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" \
    'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }

# le A B: whether A <= B (numbers).
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# target WHAT TARGET MEASURED OK(0/1) NOTE: one row of the summary table.
target() {
	local st=missed
	[ "$4" = 1 ] && st=met
	[ -n "${BENCH_TARGETS:-}" ] &&
	    printf 'TARGET\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$st" "${5:-}" \
	    >>"$BENCH_TARGETS"
	return 0
}

# --- /proc ---------------------------------------------------------------------

# CPU time of PID and all its threads, in ns (schedstat: ns resolution).
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
	    awk '{ s += $1 } END { printf "%.0f", s }'
}

# utime + stime of PID in clock ticks (includes exited threads).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
anon_kb() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
# Proportional set size: private pages plus a share of shared ones.
pss_kb() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$1/status"; }

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- supervisor ------------------------------------------------------------------

# install_plugins N [PREFIX [FIRST]]: copies of bench-min number FIRST (1)
# to N (hard links: one inode, so the page cache holds its text once),
# named PREFIX0001...
install_plugins() {
	local n=$1 prefix=${2:-p} first=${3:-1} i name
	mkdir -p "$T/plugins"
	if [ ! -f "$T/bench-min" ]; then
		cp "$FIXTURES/bench-min" "$T/bench-min"
		chmod 0755 "$T/bench-min"
	fi
	for ((i = first; i <= n; i++)); do
		name=$(printf '%s%04d' "$prefix" "$i")
		mkdir -p "$T/plugins/$name"
		ln "$T/bench-min" "$T/plugins/$name/bench-min"
		sed -e "s/^name = .*/name = \"$name\"/" \
		    "$VIGIL_SRC/tests/fixtures/plugins/bench-min/plugin.toml" \
		    >"$T/plugins/$name/plugin.toml"
	done
}

# write_config SHM HEALTH_TOML: $T/vigil.toml for a supervisor.
write_config() {
	mkdir -p "$T/run"
	cat >"$T/vigil.toml" <<CFG
[supervisor]
plugin_dir = "$T/plugins"
runtime_dir = "$T/run"
control_socket = "$T/run/control.sock"
shm_name = "$1"

[health]
$2

[logging]
level = "warn"
CFG
}

# start_supervisor: with room for ~1000 plugins' pipes and sockets.
start_supervisor() {
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
	run_bg supervisor "$BIN/vigil-supervisor" --config "$T/vigil.toml"
	SUP_PID=$LAST_PID
}

# healthy_count SHM: plugins whose record says healthy.
healthy_count() {
	"$TOOLS/vigilstate" "$1" 2>/dev/null | grep -c ' state=healthy ' || true
}

# wait_healthy SHM N SECONDS [soft]: until N plugins are healthy; dies
# after SECONDS, or with "soft" returns 1 (the caller goes on with fewer).
wait_healthy() {
	local deadline=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		alive "$SUP_PID" || die "supervisor exited"
		[ "$(healthy_count "$1")" -ge "$2" ] && return 0
		sleep 0.5
	done
	[ "${4:-}" = soft ] && return 1
	die "only $(healthy_count "$1") of $2 plugins healthy after $3 s"
}

# Pids of the supervisor's children (the plugins).
plugin_pids() { pgrep -P "$SUP_PID" || true; }

# --- the document ----------------------------------------------------------------

# cmd_block LINE...: a fenced sh block of the commands that reproduce a figure.
cmd_block() {
	echo '```sh'
	printf '%s\n' "$@"
	echo '```'
}
