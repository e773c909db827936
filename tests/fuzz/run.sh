#!/bin/bash
# Run libFuzzer targets for a while each; fail on any crash, leak, timeout
# or sanitizer report.
#
# Usage: tests/fuzz/run.sh FUZZ_BUILD_DIR SECONDS JOBS TARGET...
# Each target starts from its committed seeds (tests/fuzz/corpus/TARGET,
# which also hold the regression inputs of every bug found, so they are
# re-run first) and a dictionary when tests/fuzz/dict/TARGET.dict exists.
# New inputs and artifacts go to a temporary directory, kept only when a
# target fails. Prints PASS/FAIL with executions per target and ends with
# "fuzz: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2 jobs=$3
shift 3
work=$(mktemp -d /tmp/vigil-fuzz.XXXXXX)
# The config and manifest targets write each input to a file: on tmpfs.
shm=$(mktemp -d /dev/shm/vigil-fuzz-run.XXXXXX)
trap 'rm -rf "$shm"' EXIT
pass=0 fail=0

run_one() {
	local t=$1 dict=() rc
	mkdir -p "$work/$t/new" "$shm/$t"
	[ -f "$here/dict/$t.dict" ] && dict=("-dict=$here/dict/$t.dict")
	# -timeout: one input taking 5 s is a hang; rss limit: a leak or a
	# memory blow-up; -max_len: config files are small.
	VIGIL_FUZZ_TMP="$shm/$t" \
	ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	"$build/$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 -close_fd_mask=1 \
	    -artifact_prefix="$work/$t/" "${dict[@]}" \
	    "$work/$t/new" "$here/corpus/$t" >"$work/$t/log" 2>&1
	rc=$?
	echo "$rc" >"$work/$t/rc"
}

report() {
	local t=$1 rc execs speed
	rc=$(cat "$work/$t/rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t/log")
	if [ "$rc" -eq 0 ] && ! grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\|libFuzzer\)\|runtime error:' "$work/$t/log"; then
		pass=$((pass + 1))
		echo "PASS $t: ${execs:-?} executions (${speed:-?}/s) in ${secs} s"
	else
		fail=$((fail + 1))
		echo "FAIL $t (exit $rc); log and inputs kept in $work/$t"
		grep -A30 'ERROR:\|runtime error:\|==ERROR\|deadly signal' \
		    "$work/$t/log" | head -n 60 | sed 's/^/    | /'
		ls "$work/$t" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' |
		    sed "s|^|    artifact: $work/$t/|"
	fi
}

declare -A running=()
for t in "$@"; do
	[ -x "$build/$t" ] || { echo "FAIL $t: not built"; fail=$((fail + 1)); continue; }
	while [ "${#running[@]}" -ge "$jobs" ]; do
		wait -n 2>/dev/null
		for n in "${!running[@]}"; do
			if [ -f "$work/$n/rc" ]; then
				unset "running[$n]"
				report "$n"
			fi
		done
	done
	run_one "$t" &
	running[$t]=$!
done
wait
for n in "${!running[@]}"; do
	report "$n"
done
echo "fuzz: $pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then
	rm -rf "$work"
	exit 0
fi
exit 1
