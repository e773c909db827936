# The test runner shared by tests/system/run.sh and tests/faults/run.sh;
# source it (no .sh suffix, so run.sh never takes it for a test).
#
# run_all JOBS LIMIT SCRIPT...: run the scripts JOBS at a time, each in its
# own shell under a time limit of LIMIT seconds, its output in a log under
# $RUN_LOGDIR that is printed (and kept) only when it fails. A script
# with the line "# vigil-test: alone" asserts a time bound the project
# promises on an otherwise idle machine (demo start, detection latency):
# those run afterwards, one at a time, with nothing beside them. A script
# that exits 77 is reported as SKIP and counted neither as passed nor
# failed. Prints PASS/FAIL/SKIP per script as each ends; leaves the counts
# in RUN_PASS, RUN_FAIL, RUN_SKIP and, per script name, the outcome in
# RUN_RESULT and the time taken in ms in RUN_MS.

RUN_LOGDIR=$(mktemp -d "/tmp/vigil-${RUN_NAME:-test}-logs.XXXXXX")
RUN_PASS=0 RUN_FAIL=0 RUN_SKIP=0
declare -gA RUN_RESULT=() RUN_MS=()

# run_one LIMIT SCRIPT: run it, leave "rc ms" in $RUN_LOGDIR/NAME.rc.
run_one() {
	local limit=$1 t=$2 name start rc
	name=$(basename "$t" .sh)
	start=$(date +%s%N)
	timeout --kill-after=10 "$limit" bash "$t" >"$RUN_LOGDIR/$name.log" 2>&1
	rc=$?
	# Renamed into place: the scheduling loop must never read it half
	# written.
	echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" \
	    >"$RUN_LOGDIR/$name.rc.tmp"
	mv "$RUN_LOGDIR/$name.rc.tmp" "$RUN_LOGDIR/$name.rc"
}

run_report() {
	local name=$1 rc ms log=$RUN_LOGDIR/$1.log
	read -r rc ms <"$RUN_LOGDIR/$name.rc"
	rm -f "$RUN_LOGDIR/$name.rc"
	RUN_MS[$name]=$ms
	case $rc in
	0)  RUN_PASS=$((RUN_PASS + 1)); RUN_RESULT[$name]=PASS
	    echo "PASS $name (${ms} ms)"
	    rm -f "$log" ;;
	77) RUN_SKIP=$((RUN_SKIP + 1)); RUN_RESULT[$name]=SKIP
	    echo "SKIP $name: $(tail -n 1 "$log")"
	    rm -f "$log" ;;
	*)  RUN_FAIL=$((RUN_FAIL + 1)); RUN_RESULT[$name]=FAIL
	    echo "FAIL $name (exit $rc, ${ms} ms; log $log)"
	    sed 's/^/    | /' "$log" | tail -n 80 ;;
	esac
}

run_all() {
	local jobs=$1 limit=$2 t n name
	local -a shared=() alone=()
	local -A running=()

	shift 2
	for t in "$@"; do
		[ -f "$t" ] || continue
		if grep -qx '# vigil-test: alone' "$t"; then
			alone+=("$t")
		else
			shared+=("$t")
		fi
	done
	for t in "${shared[@]}"; do
		while [ "${#running[@]}" -ge "$jobs" ]; do
			wait -n 2>/dev/null
			for n in "${!running[@]}"; do
				if [ -f "$RUN_LOGDIR/$n.rc" ]; then
					unset "running[$n]"
					run_report "$n"
				fi
			done
		done
		name=$(basename "$t" .sh)
		run_one "$limit" "$t" &
		running[$name]=$!
	done
	wait
	for n in "${!running[@]}"; do
		run_report "$n"
	done
	for t in "${alone[@]}"; do
		run_one "$limit" "$t"
		run_report "$(basename "$t" .sh)"
	done
	[ "$RUN_FAIL" -eq 0 ] && rmdir "$RUN_LOGDIR" 2>/dev/null
	return 0
}
