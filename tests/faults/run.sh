#!/bin/bash
# Run the fault matrix: every row, 3 at a time; PASS/FAIL per row, then a
# summary table and "faults: N passed, N failed".
#
# Usage: VIGIL_BUILD=/abs/build tests/faults/run.sh [ROW_PREFIX...]
# Each row (tests/faults/NN-name.sh) sources tests/system/common.sh, so it
# has its own directory, segment, socket and port; it runs through the
# system tests' runner (tests/system/runner.bash: logs printed only on
# failure, VIGIL_FAULT_TIMEOUT default 120 s, VIGIL_FAULT_JOBS default 3).
# The "# Expect:" line under a row's title is its expected outcome, shown
# in the table.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
export VIGIL_BUILD VIGIL_SRC="${VIGIL_SRC:-$(cd "$here/../.." && pwd)}"

if [ $# -gt 0 ]; then
	rows=()
	for p in "$@"; do rows+=("$here"/$p*.sh); done
else
	rows=("$here"/[0-9][0-9]-*.sh)
fi

RUN_NAME=faults
. "$here/../system/runner.bash"
run_all "${VIGIL_FAULT_JOBS:-3}" "${VIGIL_FAULT_TIMEOUT:-120}" "${rows[@]}"

echo
printf '%-24s %-64s %-6s %s\n' row "expected outcome" result time
for r in "${rows[@]}"; do
	[ -f "$r" ] || continue
	name=$(basename "$r" .sh)
	expect=$(sed -n 's/^# Expect: //p' "$r" | head -n 1)
	took=""
	[ -n "${RUN_MS[$name]:-}" ] &&
	    took=$(awk -v ms="${RUN_MS[$name]}" 'BEGIN { printf "%.1f s", ms / 1000 }')
	printf '%-24s %-64s %-6s %s\n' "$name" "${expect:0:64}" \
	    "${RUN_RESULT[$name]:-?}" "$took"
done
echo "faults: $RUN_PASS passed, $RUN_FAIL failed"
[ "$RUN_FAIL" -eq 0 ] && [ "$RUN_PASS" -gt 0 ]
