# Helpers for the fault-matrix rows; source after tests/system/common.sh.
# Not a row itself (no .sh suffix, so run.sh never runs it).
#
# Every row: start the supervisor, wait until its plugins are settled,
# fault_baseline, inject the fault, assert the row's outcome, then
# fault_finish, which checks what every row promises: no zombie, the
# supervisor's fd count back to its baseline, and after stopping it no
# process of the test left.

MISBEHAVE=$FIXTURE_BIN/misbehave
GOPLUGIN=$FIXTURE_BIN/goplugin
FLAKY=$PLUGIN_BIN/flaky/flaky
ANTIABUSE=$PLUGIN_BIN/antiabuse/antiabuse
CTLFLOOD=$TOOLS/ctlflood
SHMWATCH=$TOOLS/shmwatch
SVLOG=$T/supervisor.log

# no_process_stopping: no plugin that has failed or stopped still has a
# process. The record says "failed" when the stop begins; the process and
# its output pipes go a few ms later (more on a loaded machine).
no_process_stopping() {
	! "$TOOLS/vigilstate" "$SHM" |
	    grep -Eq 'state=(failed|stopped) pid=[1-9]'
}

# fault_baseline: the supervisor's fd count once every plugin is settled
# (a plugin just failed is still being stopped: its pipes would count).
fault_baseline() {
	wait_for 10 "failed plugins' processes gone" no_process_stopping
	FD_BEFORE=$(fd_count "$SUPERVISOR_PID")
	echo "baseline: supervisor fds=$FD_BEFORE rss=$(rss_kb "$SUPERVISOR_PID") kB"
}

# fault_settle NAME...: every named plugin healthy again.
fault_settle() {
	local n
	for n in "$@"; do
		wait_state "$n" healthy 15
	done
}

fds_back() { [ "$(fd_count "$SUPERVISOR_PID")" -eq "$FD_BEFORE" ]; }

# fault_finish: the checks after every row, then stop the supervisor.
fault_finish() {
	kill -0 "$SUPERVISOR_PID" 2>/dev/null || fail "supervisor died"
	# gRPC closes a destroyed channel's socket from its own threads: give
	# it a moment before calling a difference a leak.
	local now
	for _ in $(seq 1 100); do
		fds_back && break
		sleep 0.05
	done
	now=$(fd_count "$SUPERVISOR_PID")
	[ "$now" -eq "$FD_BEFORE" ] ||
		fail "supervisor fds: $FD_BEFORE before, $now after: $(ls -l /proc/$SUPERVISOR_PID/fd)"
	[ -z "$(zombies_of "$SUPERVISOR_PID")" ] ||
		fail "zombies: $(zombies_of "$SUPERVISOR_PID")"
	stop_supervisor
	no_leftovers
	echo "after: supervisor fds=$now, no zombie, no process left"
}

# no_leftovers: no process running a binary of this test's directory.
no_leftovers() {
	local left
	for _ in $(seq 1 40); do
		left=$(test_procs)
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	fail "processes left: $(ps -o pid=,ppid=,stat=,args= -p "$(echo $left | tr ' ' ,)")"
}

# transitions NAME: the plugin's states in order, from the supervisor log.
transitions() {
	grep 'msg="plugin state changed"' "$SVLOG" |
	    grep " plugin=$1 " | sed -n 's/.* to=\([a-z]*\) .*/\1/p' |
	    tr '\n' ' ' | sed 's/ $//'
}

# expect_transitions NAME "SEQ": SEQ (space-separated states) appears in
# order, contiguously, in the plugin's state history.
expect_transitions() {
	local got
	got=$(transitions "$1")
	case " $got " in
	*" $2 "*) echo "$1: $got" ;;
	*) fail "$1 transitions: want '$2' in '$got'" ;;
	esac
}

# log_has PATTERN [WHAT]: the supervisor log has a line matching PATTERN.
log_has() {
	grep -q -- "$1" "$SVLOG" || fail "${2:-log line} missing: $1"
}

# ctl ARGS...: one control request; prints the answer.
ctl() {
	"$TOOLS/ctlsend" "$SOCK" "$@"
}

# misbehave_manifest MODE [ARG] [MORE_ENV]: the [vigil] table for the
# misbehave fixture.
misbehave_manifest() {
	printf '[vigil]\nenv = { MISBEHAVE = "%s", MISBEHAVE_ARG = "%s"%s }\n' \
	    "$1" "${2:--1}" "${3:+, $3}"
}

# checks_advance NAME MS: NAME was checked again within MS milliseconds
# and its checks are not failing.
checks_advance() {
	local before after
	before=$(state "$1" checks)
	sleep "$(awk -v ms="$2" 'BEGIN { print ms / 1000 }')"
	after=$(state "$1" checks)
	[ "$after" -gt "$before" ] ||
		fail "$1 not checked for $2 ms ($before -> $after checks)"
	[ "$(state "$1" failures)" = 0 ] ||
		fail "$1 has failures: $(state "$1" failures)"
}

# --- the apiserver ---------------------------------------------------------

URL="http://127.0.0.1:$PORT"

# start_api: the apiserver on $PORT (as root it drops to [api] user).
start_api() {
	run_bg api "$BIN/vigil-apiserver" --config "$T/vigil.toml"
	API_PID=$LAST_PID
	wait_for 10 "apiserver on $URL" curl -s -o /dev/null "$URL/health/liveness"
}

# http PATH: the status code of GET PATH (000: no answer).
http() {
	curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "$URL$1" || true
}

http_is() { [ "$(http "$1")" = "$2" ]; }

# --- the state segment -------------------------------------------------------

SEG=/dev/shm$SHM

# watch_segment: a libvigil reader polling every 0.2 ms in the
# background (at most 60 s); its report goes to $T/watch.log.
watch_segment() {
	run_bg watch "$SHMWATCH" "$SHM" 60000
	WATCH_PID=$LAST_PID
}

# watch_result WHAT: give the supervisor 1 s (4 heartbeats) to repair,
# stop the reader and print its summary line. It must not have crashed
# and must have finished on a good read.
watch_result() {
	local rc=0
	sleep 1
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" || rc=$?
	[ "$rc" -le 1 ] || fail "reader died (status $rc): $(cat "$T/watch.log")"
	[ "$rc" -eq 0 ] || fail "reader did not recover: $(tail -n 3 "$T/watch.log")"
	echo "$1: reader: $(tail -n 1 "$T/watch.log")"
}

# hammer_api: GET /health in a loop in the background until hammer_stop
# (at most 60 s); $T/hammer.log gets one status code per line.
hammer_api() {
	rm -f "$T/hammer.stop"
	( end=$(( $(date +%s) + 60 ))
	  while [ ! -e "$T/hammer.stop" ] && [ "$(date +%s)" -lt "$end" ]; do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 2 "$URL/health"
	  done ) >"$T/hammer.log" 2>&1 &
	HAMMER_PID=$!
}

# hammer_stop: stop the loop; the apiserver must have answered every
# request with 200 or 503 (never nothing: it must not crash or hang).
hammer_stop() {
	touch "$T/hammer.stop"
	wait "$HAMMER_PID"
	grep -qv '^\(200\|503\)$' "$T/hammer.log" &&
		fail "apiserver answers: $(sort "$T/hammer.log" | uniq -c)"
	echo "apiserver answers: $(sort "$T/hammer.log" | uniq -c | tr '\n' ' ')"
}

# segment_ok: every plugin's record is back with the same pid.
segment_ok() {
	local n
	for n in "$@"; do
		[ "$(state "$n" pid)" = "${PIDS_OF[$n]}" ] || return 1
		[ "$(state "$n" state)" = healthy ] || return 1
	done
}
