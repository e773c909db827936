#!/bin/bash
# Soak: 10 plugins under random faults while wrk loads the API.
#
# Usage: VIGIL_BUILD=/abs/build scripts/soak.sh   (SOAK_SECONDS, default 600)
#
# Runs the supervisor (demo mode, for fault injection), the apiserver and
# 10 demo plugins. Every second or so one healthy, settled plugin gets a
# random fault: SIGKILL, SIGSTOP, a manual restart over the control socket,
# or an injected crash or hang (vigil.demo.Simulation over the control
# socket); each costs that plugin exactly one restart. Meanwhile wrk loads
# /health and /plugins/health on loopback (niced, so the machine's two
# cores still run the checks on time). At the end it asserts: neither
# daemon died, their RSS grew by less than 5% since the warm-up, their fd
# counts are back to the warm-up values, no zombies, every plugin healthy,
# and each plugin's total_restarts equals the faults injected into it.
# Prints the figures, then "soak: N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL_SRC=${VIGIL_SRC:-$here}
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
SOAK_SECONDS=${SOAK_SECONDS:-600}
. "$VIGIL_SRC/tests/system/common.sh"
. "$VIGIL_SRC/tests/faults/lib.bash"

command -v wrk >/dev/null || fail "wrk missing (scripts/deps.sh)"
[ "$SOAK_SECONDS" -ge 30 ] || fail "SOAK_SECONDS must be at least 30"
# The apiserver's workers and arenas, gRPC's caches: settle them first.
WARMUP=$(( SOAK_SECONDS / 10 > 20 ? SOAK_SECONDS / 10 : 20 ))

SUPERVISOR_TOML='demo = true
restarts_per_minute = 1000'
HEALTH_TOML='check_interval = "1s"
check_timeout = "1s"
failure_threshold = 3
success_threshold = 2
max_restarts = 100000
restart_backoff = "100ms"
max_restart_backoff = "1s"
start_timeout = "10s"
stop_timeout = "2s"'
API_TOML='threads = 8
rate_limit_per_minute = 100000'
write_config
NAMES=()
for i in 0 1 2 3 4 5; do install_plugin "flaky$i" "$FLAKY"; NAMES+=("flaky$i"); done
for i in 0 1 2 3; do install_plugin "aa$i" "$ANTIABUSE"; NAMES+=("aa$i"); done
start_supervisor
for n in "${NAMES[@]}"; do wait_state "$n" healthy 20; done
run_bg api nice -n 5 "$BIN/vigil-apiserver" --config "$T/vigil.toml"
API_PID=$LAST_PID
wait_for 10 "apiserver" curl -s -o /dev/null "$URL/health/liveness"
echo "soak: ${SOAK_SECONDS} s, warm-up ${WARMUP} s, 10 plugins, supervisor $SUPERVISOR_PID, apiserver $API_PID"

# wrk at the lowest priority: it measures nothing here, it only loads.
# 8 keep-alive connections for the 8 apiserver workers: CivetWeb holds a
# worker per open connection (docs/API.md, "Threads and keep-alive"), so
# every worker serves from the start and has its own libvigil handle (an
# fd and a mapping) and malloc arena before the warm-up baseline.
wrk_run() {
	nice -n 19 wrk -t1 -c5 -d"$1"s --timeout 5s "$URL/health" >"$T/wrk-health.log" 2>&1 &
	WRK1=$!
	nice -n 19 wrk -t1 -c3 -d"$1"s --timeout 5s "$URL/plugins/health" >"$T/wrk-plugins.log" 2>&1 &
	WRK2=$!
}

declare -A expected=()
declare -A kinds=()
declare -A injected=()		# per plugin: the faults, in order
for n in "${NAMES[@]}"; do expected[$n]=0; done
FAULTS=(kill stop restart crash hang)

# inject NAME KIND: one fault; the plugin owes one more restart.
inject() {
	local n=$1 k=$2 pid out
	pid=$(state "$n" pid)
	case $k in
	kill)	kill -KILL "$pid" ;;
	stop)	kill -STOP "$pid" ;;
	restart) out=$(ctl restart "$n")
		case "$out" in accepted*) ;; *) fail "restart $n: $out" ;; esac ;;
	crash|hang) out=$(ctl simulate "$n" "$k" 0)
		case "$out" in accepted*) ;; *) fail "simulate $n $k: $out" ;; esac ;;
	esac
	expected[$n]=$(( ${expected[$n]} + 1 ))
	kinds[$k]=$(( ${kinds[$k]:-0} + 1 ))
	injected[$n]="${injected[$n]:-}$k "
}

# settled NAME: healthy and every fault so far paid for.
settled() {
	[ "$(state "$1" state)" = healthy ] &&
	    [ "$(state "$1" total_restarts)" = "${expected[$1]}" ]
}

# fault_phase SECONDS: random faults into settled plugins.
fault_phase() {
	local end=$(( $(date +%s) + $1 )) n
	while [ "$(date +%s)" -lt "$end" ]; do
		n=${NAMES[$(( RANDOM % ${#NAMES[@]} ))]}
		if settled "$n"; then
			inject "$n" "${FAULTS[$(( RANDOM % ${#FAULTS[@]} ))]}"
		fi
		sleep 0.$(( 5 + RANDOM % 5 ))
		kill -0 "$SUPERVISOR_PID" 2>/dev/null || fail "supervisor died"
		kill -0 "$API_PID" 2>/dev/null || fail "apiserver died"
	done
}

all_settled() {
	local n
	for n in "${NAMES[@]}"; do settled "$n" || return 1; done
}

all_healthy() {
	local n
	for n in "${NAMES[@]}"; do
		[ "$(state "$n" state)" = healthy ] || return 1
	done
}

# why NAME: the reasons NAME went unhealthy, from the supervisor's log.
why() {
	grep 'msg="plugin state changed"' "$T/supervisor.log" |
	    grep " plugin=$1 .* to=unhealthy " |
	    sed 's/.* reason=//; s/ restarts=.*//' | sort | uniq -c |
	    tr -s ' \n' ' '
}

# Warm-up: load and faults, then every plugin settled: the baseline.
wrk_run "$SOAK_SECONDS"
fault_phase "$WARMUP"
wait_for 60 "plugins healthy after warm-up" all_healthy
for _ in $(seq 1 100); do all_settled && break; sleep 0.2; done
sv_rss0=$(rss_kb "$SUPERVISOR_PID") sv_fd0=$(fd_count "$SUPERVISOR_PID")
api_rss0=$(rss_kb "$API_PID") api_fd0=$(fd_count "$API_PID")
echo "after warm-up: supervisor rss=${sv_rss0} kB fds=$sv_fd0; apiserver rss=${api_rss0} kB fds=$api_fd0"

fault_phase $(( SOAK_SECONDS - WARMUP - 5 ))
wait "$WRK1" "$WRK2" || true
# Let the last faults play out; a mismatch is reported below, not here.
wait_for 60 "every plugin healthy" all_healthy
for _ in $(seq 1 100); do all_settled && break; sleep 0.2; done
sleep 2	# idle keep-alive connections closed, gRPC sockets settled

passed=0 failed=0
check() {
	if eval "$2"; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}
sv_rss1=$(rss_kb "$SUPERVISOR_PID") sv_fd1=$(fd_count "$SUPERVISOR_PID")
api_rss1=$(rss_kb "$API_PID") api_fds=$(fd_count "$API_PID")
total=0
for n in "${NAMES[@]}"; do total=$(( total + ${expected[$n]} )); done
mism=""
for n in "${NAMES[@]}"; do
	got=$(state "$n" total_restarts)
	[ "$got" = "${expected[$n]}" ] || mism="$mism $n:$got/${expected[$n]}"
done
req() { sed -n 's/^Requests\/sec: *//p' "$1"; }
# Connect errors and timeouts mean the apiserver did not answer. Read
# errors are counted but allowed: CivetWeb closes a keep-alive connection
# idle for 1 s, and a niced wrk starved of CPU for that long then reads a
# reset.
serr() {
	sed -n 's/.*Socket errors: connect \([0-9]*\), read [0-9]*, write [0-9]*, timeout \([0-9]*\).*/\1 \2/p' "$1" |
	    awk '{ s += $1 + $2 } END { print s + 0 }'
}
echo "faults injected: $total ($(for k in "${FAULTS[@]}"; do printf '%s=%s ' "$k" "${kinds[$k]:-0}"; done))"
echo "wrk /health: $(req "$T/wrk-health.log") req/s; /plugins/health: $(req "$T/wrk-plugins.log") req/s"
grep -h 'requests in\|Non-2xx\|Socket errors' "$T/wrk-health.log" "$T/wrk-plugins.log" | sed 's/^ */wrk: /'
echo "supervisor: rss ${sv_rss0} -> ${sv_rss1} kB, fds $sv_fd0 -> $sv_fd1"
echo "apiserver: rss ${api_rss0} -> ${api_rss1} kB, fds $api_fd0 -> $api_fds (wrk's connections closed)"
check "both daemons alive" 'kill -0 "$SUPERVISOR_PID" && kill -0 "$API_PID"'
check "supervisor RSS grew < 5%" '[ $(( sv_rss1 * 100 )) -lt $(( sv_rss0 * 105 )) ]'
check "apiserver RSS grew < 5%" '[ $(( api_rss1 * 100 )) -lt $(( api_rss0 * 105 )) ]'
check "supervisor fds unchanged" '[ "$sv_fd1" -eq "$sv_fd0" ]'
# After warm-up the apiserver holds wrk's 8 connections; at the end they
# are closed, so at most that many fewer fds, never more.
check "apiserver fds not grown" '[ "$api_fds" -le "$api_fd0" ]'
check "no zombies" '[ -z "$(zombies_of "$SUPERVISOR_PID")$(zombies_of "$API_PID")" ]'
check "every plugin healthy" 'all_settled'
check "restart counters = faults injected ($total)" '[ -z "$mism" ]'
if [ -n "$mism" ]; then
	echo "mismatch (got/expected):$mism"
	for m in $mism; do
		n=${m%%:*}
		echo "  $n: injected: ${injected[$n]:-}; unhealthy because: $(why "$n")"
	done
fi
check "every wrk request answered (no connect error or timeout)" '[ "$(serr "$T/wrk-health.log")$(serr "$T/wrk-plugins.log")" = 00 ]'
check "apiserver still answers" '[ "$(http /health)" = 200 ]'
stop_supervisor
check "no process left" '[ -z "$(test_procs)" ]'
echo "soak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
