#!/bin/bash
# Run the numbered system tests; print PASS/FAIL each, keep logs of failures.
#
# Usage: VIGIL_BUILD=/abs/build tests/system/run.sh [PREFIX...]
# Each test runs in its own shell with a time limit; its output goes to a
# log file that is printed (and kept) only when it fails. A test that exits
# 77 is reported as SKIP and counted neither as passed nor failed.
# VIGIL_TEST_JOBS tests run at once (default 3): every test has its own
# segment, socket, port and directory, and most of their time is waiting.
# A test with the line "# vigil-test: alone" asserts a time bound the
# project promises on an otherwise idle machine (demo start, detection
# latency): those run afterwards, one at a time, with nothing beside them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
export VIGIL_BUILD VIGIL_SRC="${VIGIL_SRC:-$(cd "$here/../.." && pwd)}"
limit=${VIGIL_TEST_TIMEOUT:-240}
jobs=${VIGIL_TEST_JOBS:-3}

if [ $# -gt 0 ]; then
	tests=()
	for p in "$@"; do tests+=("$here"/$p*.sh); done
else
	tests=("$here"/[0-9][0-9][0-9]-*.sh)
fi

logdir=$(mktemp -d /tmp/vigil-systest-logs.XXXXXX)
pass=0 fail=0 skip=0

# run_one TEST: run it, leave "rc ms" in $logdir/NAME.rc.
run_one() {
	local t=$1 name start rc
	name=$(basename "$t" .sh)
	start=$(date +%s%N)
	timeout --kill-after=10 "$limit" bash "$t" >"$logdir/$name.log" 2>&1
	rc=$?
	echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$logdir/$name.rc"
}

report() {
	local name=$1 rc ms
	read -r rc ms <"$logdir/$name.rc"
	rm -f "$logdir/$name.rc"
	case $rc in
	0)  pass=$((pass + 1)); echo "PASS $name (${ms} ms)"
	    rm -f "$logdir/$name.log" ;;
	77) skip=$((skip + 1))
	    echo "SKIP $name: $(tail -n 1 "$logdir/$name.log")"
	    rm -f "$logdir/$name.log" ;;
	*)  fail=$((fail + 1))
	    echo "FAIL $name (exit $rc, ${ms} ms; log $logdir/$name.log)"
	    sed 's/^/    | /' "$logdir/$name.log" | tail -n 80 ;;
	esac
}

shared=() alone=()
for t in "${tests[@]}"; do
	[ -f "$t" ] || continue
	if grep -qx '# vigil-test: alone' "$t"; then
		alone+=("$t")
	else
		shared+=("$t")
	fi
done

declare -A running=()
for t in "${shared[@]}"; do
	while [ "${#running[@]}" -ge "$jobs" ]; do
		wait -n 2>/dev/null
		for n in "${!running[@]}"; do
			if [ -f "$logdir/$n.rc" ]; then
				unset "running[$n]"
				report "$n"
			fi
		done
	done
	name=$(basename "$t" .sh)
	run_one "$t" &
	running[$name]=$!
done
wait
for n in "${!running[@]}"; do
	report "$n"
done
for t in "${alone[@]}"; do
	run_one "$t"
	report "$(basename "$t" .sh)"
done
[ "$fail" -eq 0 ] && rmdir "$logdir" 2>/dev/null
echo "system: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
