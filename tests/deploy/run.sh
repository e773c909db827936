#!/bin/bash
# Run the deployment checks (issue 6); print PASS/FAIL/SKIP for each and
# a closing line "deploy: N passed, N failed, N skipped".
#
# Usage: VIGIL_BUILD=/abs/build tests/deploy/run.sh [NN...]
# Each check is tests/deploy/NN-what.sh, run in its own shell with a time
# limit; its output is shown only when it fails (or with VERBOSE=1). Exit
# 77 means skipped (a root-only check run as another user). Checks have
# their own directory, segment and port, and mostly wait, so
# VIGIL_DEPLOY_JOBS of them (default 3) run at once; results are printed
# in order.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
export VIGIL_BUILD VIGIL_SRC="${VIGIL_SRC:-$(cd "$here/../.." && pwd)}"
limit=${VIGIL_TEST_TIMEOUT:-90}
jobs=${VIGIL_DEPLOY_JOBS:-3}

if [ $# -gt 0 ]; then
	checks=()
	for p in "$@"; do checks+=("$here"/$p*.sh); done
else
	checks=("$here"/[0-9][0-9]-*.sh)
fi

logdir=$(mktemp -d /tmp/vigil-deploy-logs.XXXXXX)
trap 'rm -rf "$logdir"' EXIT

# run_one CHECK: leave "rc ms" in $logdir/NAME.rc, its output in NAME.log.
run_one() {
	local name start rc
	name=$(basename "$1" .sh)
	start=$(date +%s%N)
	timeout --kill-after=10 "$limit" bash "$1" >"$logdir/$name.log" 2>&1
	rc=$?
	echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$logdir/$name.rc.tmp"
	mv "$logdir/$name.rc.tmp" "$logdir/$name.rc"
}

start_all=$(date +%s%N)
running=0
for t in "${checks[@]}"; do
	[ -f "$t" ] || continue
	while [ "$running" -ge "$jobs" ]; do
		wait -n 2>/dev/null
		running=$((running - 1))
	done
	run_one "$t" &
	running=$((running + 1))
done
wait

pass=0 fail=0 skip=0
for t in "${checks[@]}"; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	read -r rc ms <"$logdir/$name.rc"
	case $rc in
	0)  pass=$((pass + 1)); echo "PASS $name (${ms} ms)"
	    [ "${VERBOSE:-0}" = 1 ] && sed 's/^/    | /' "$logdir/$name.log" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$logdir/$name.log")" ;;
	*)  fail=$((fail + 1)); echo "FAIL $name (exit $rc, ${ms} ms)"
	    sed 's/^/    | /' "$logdir/$name.log" | tail -n 80 ;;
	esac
done
echo "deploy: all checks in $(( ($(date +%s%N) - start_all) / 1000000 )) ms"
echo "deploy: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
