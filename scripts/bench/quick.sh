#!/bin/bash
# Regression guard: instruction counts of the two hot paths, under callgrind.
#
# Usage: VIGIL_BUILD=/abs/build scripts/bench/quick.sh [--update] [--markdown]
#
# Runs tests/bench/guard_check (the supervisor's health-check result path:
# decode, state machine, publish; 20000 checks) and guard_render (the
# apiserver's GET /health path: snapshot, summary, JSON, HTTP bytes; 2000
# requests) under `valgrind --tool=callgrind`, counting only the
# instructions executed inside guard_workload(). Instruction counts do not
# depend on the machine's load, so a 10% limit is meaningful even on a
# noisy 2-core machine. Each figure is compared with
# scripts/bench/baseline.txt; the guard fails when one grows more than
# BENCH_GUARD_LIMIT percent (10) over its baseline.
#
# Updating the baseline (deliberately, in the commit that makes the path
# slower or faster, saying why in its message):
#
#	make && VIGIL_BUILD=$PWD/build scripts/bench/quick.sh --update
#
# The counts depend on the compiler, flags and the Debian 12 libraries
# (json-c, protobuf-c, glibc): refresh the baseline after changing those.
# --markdown prints a Markdown fragment (for docs/BENCHMARKS.md) instead of
# the pass/fail lines. The last line is "bench-guard: N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory (absolute)}"
BASELINE=${BENCH_BASELINE:-$here/baseline.txt}
LIMIT=${BENCH_GUARD_LIMIT:-10}
update=0 markdown=0
for a in "$@"; do
	case $a in
	--update) update=1 ;;
	--markdown) markdown=1 ;;
	*) echo "usage: quick.sh [--update] [--markdown]" >&2; exit 2 ;;
	esac
done

# name binary units unit-name: each guarded workload.
WORKLOADS=(
	"health_check guard_check 20000 check"
	"health_render guard_render 2000 request"
)

if ! command -v valgrind >/dev/null; then
	echo "bench-guard: valgrind is not installed (make deps)" >&2
	echo "bench-guard: 0 passed, ${#WORKLOADS[@]} failed"
	exit 1
fi

tmp=$(mktemp -d /tmp/vigil-guard.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# count BINARY UNITS: instructions per unit inside guard_workload().
count() {
	local bin=$VIGIL_BUILD/tests/bench/$1 units=$2 total
	[ -x "$bin" ] || { echo "missing $bin (run make)" >&2; return 1; }
	valgrind --tool=callgrind --toggle-collect=guard_workload \
	    --callgrind-out-file="$tmp/$1.out" "$bin" "$units" \
	    >"$tmp/$1.log" 2>&1 || { cat "$tmp/$1.log" >&2; return 1; }
	total=$(awk '/^totals:/ { print $2 }' "$tmp/$1.out")
	[ -n "$total" ] && [ "$total" -gt 0 ] || return 1
	echo $(( (total + units / 2) / units ))
}

baseline_of() {
	[ -f "$BASELINE" ] && awk -v n="$1" '$1 == n { print $2 }' "$BASELINE"
}

pass=0 fail=0
declare -A NOW
for w in "${WORKLOADS[@]}"; do
	read -r name bin units unit <<<"$w"
	if ! NOW[$name]=$(count "$bin" "$units"); then
		echo "FAIL $name: could not measure"
		fail=$((fail + 1))
		continue
	fi
	base=$(baseline_of "$name")
	if [ "$update" = 1 ] || [ -z "$base" ]; then
		[ "$update" = 1 ] || echo "note: no baseline for $name" >&2
		pass=$((pass + 1))
		[ "$markdown" = 1 ] ||
		    echo "PASS $name: ${NOW[$name]} instructions per $unit (new baseline)"
		continue
	fi
	limit=$(( base + base * LIMIT / 100 ))
	pct=$(awk -v a="${NOW[$name]}" -v b="$base" \
	    'BEGIN { printf "%+.1f", (a - b) * 100 / b }')
	if [ "${NOW[$name]}" -le "$limit" ]; then
		pass=$((pass + 1))
		[ "$markdown" = 1 ] || echo "PASS $name: ${NOW[$name]} instructions per $unit (baseline $base, ${pct}%, limit +${LIMIT}%)"
	else
		fail=$((fail + 1))
		echo "FAIL $name: ${NOW[$name]} instructions per $unit (baseline $base, ${pct}%, limit +${LIMIT}%)"
		echo "     if this growth is intended: scripts/bench/quick.sh --update (see its header)"
	fi
	if [ "${NOW[$name]}" -lt $(( base - base * LIMIT / 100 )) ] &&
	    [ "$markdown" = 0 ]; then
		echo "note: $name is ${pct}% below its baseline; consider --update"
	fi
done

if [ "$update" = 1 ] && [ "$fail" = 0 ]; then
	{
		echo "# Instructions per unit of the guarded workloads (callgrind),"
		echo "# checked by scripts/bench/quick.sh (make check-bench, make test)."
		echo "# Update deliberately: VIGIL_BUILD=\$PWD/build scripts/bench/quick.sh --update"
		echo "# workload instructions unit"
		for w in "${WORKLOADS[@]}"; do
			read -r name bin units unit <<<"$w"
			echo "$name ${NOW[$name]} $unit"
		done
	} >"$BASELINE"
	echo "baseline written to $BASELINE"
fi

if [ "$markdown" = 1 ]; then
	cat <<EOF
## Regression guard

\`scripts/bench/quick.sh\` (run by \`make check-bench\` and \`make test\`)
counts the instructions of two fixed workloads with
\`valgrind --tool=callgrind --toggle-collect=guard_workload\`; instruction
counts are the same on a loaded and an idle machine, so the guard can fail
on a 10% growth without false alarms. Baseline: \`scripts/bench/baseline.txt\`.

| workload | what it runs | instructions per unit | baseline |
| --- | --- | ---: | ---: |
| health_check | \`tests/bench/guard_check\`: a HealthCheck reply decoded, recorded, stepped through the state machine and published (16 plugins, 20000 checks, every 50th unhealthy) | ${NOW[health_check]:-n/a} per check | $(baseline_of health_check) |
| health_render | \`tests/bench/guard_render\`: GET /health for 16 plugins: libvigil header + snapshot, summary, json-c tree, serialization, HTTP response bytes (2000 requests) | ${NOW[health_render]:-n/a} per request | $(baseline_of health_render) |

Command:

\`\`\`sh
make check-bench        # or: VIGIL_BUILD=\$PWD/build scripts/bench/quick.sh
\`\`\`

EOF
fi
echo "bench-guard: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
