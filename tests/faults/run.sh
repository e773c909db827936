#!/bin/bash
# Run the fault matrix: every row, 3 at a time; PASS/FAIL per row, then a
# summary table and "faults: N passed, N failed".
#
# Usage: VIGIL_BUILD=/abs/build tests/faults/run.sh [ROW_PREFIX...]
# Each row (tests/faults/NN-name.sh) sources tests/system/common.sh, so it
# has its own directory, segment, socket and port; its log is printed only
# when it fails. The "# Expect:" line under a row's title is its expected
# outcome, shown in the table.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
export VIGIL_BUILD VIGIL_SRC="${VIGIL_SRC:-$(cd "$here/../.." && pwd)}"
limit=${VIGIL_FAULT_TIMEOUT:-120}
jobs=${VIGIL_FAULT_JOBS:-3}

if [ $# -gt 0 ]; then
	rows=()
	for p in "$@"; do rows+=("$here"/$p*.sh); done
else
	rows=("$here"/[0-9][0-9]-*.sh)
fi

logdir=$(mktemp -d /tmp/vigil-faults-logs.XXXXXX)
pass=0 fail=0 skip=0
declare -A result=() took=()

run_one() {
	local r=$1 name start rc
	name=$(basename "$r" .sh)
	start=$(date +%s%N)
	timeout --kill-after=10 "$limit" bash "$r" >"$logdir/$name.log" 2>&1
	rc=$?
	echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$logdir/$name.rc"
}

report() {
	local name=$1 rc ms
	read -r rc ms <"$logdir/$name.rc"
	rm -f "$logdir/$name.rc"
	took[$name]=$(awk -v ms="$ms" 'BEGIN { printf "%.1f s", ms / 1000 }')
	case $rc in
	0)  pass=$((pass + 1)); result[$name]=PASS
	    echo "PASS $name (${took[$name]})"
	    rm -f "$logdir/$name.log" ;;
	77) skip=$((skip + 1)); result[$name]=SKIP
	    echo "SKIP $name: $(tail -n 1 "$logdir/$name.log")"
	    rm -f "$logdir/$name.log" ;;
	*)  fail=$((fail + 1)); result[$name]=FAIL
	    echo "FAIL $name (exit $rc, ${took[$name]}; log $logdir/$name.log)"
	    sed 's/^/    | /' "$logdir/$name.log" | tail -n 80 ;;
	esac
}

declare -A running=()
for r in "${rows[@]}"; do
	[ -f "$r" ] || continue
	while [ "${#running[@]}" -ge "$jobs" ]; do
		wait -n 2>/dev/null
		for n in "${!running[@]}"; do
			if [ -f "$logdir/$n.rc" ]; then
				unset "running[$n]"
				report "$n"
			fi
		done
	done
	name=$(basename "$r" .sh)
	run_one "$r" &
	running[$name]=$!
done
wait
for n in "${!running[@]}"; do
	report "$n"
done

echo
printf '%-24s %-64s %-6s %s\n' row "expected outcome" result time
for r in "${rows[@]}"; do
	[ -f "$r" ] || continue
	name=$(basename "$r" .sh)
	expect=$(sed -n 's/^# Expect: //p' "$r" | head -n 1)
	printf '%-24s %-64s %-6s %s\n' "$name" "${expect:0:64}" \
	    "${result[$name]:-?}" "${took[$name]:-}"
done
[ "$fail" -eq 0 ] && rmdir "$logdir" 2>/dev/null
echo "faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
