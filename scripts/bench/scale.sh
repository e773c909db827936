#!/bin/bash
# Benchmark: the health loop with 10, 100, 500 and 1,000 plugins at 1 s.
#
# Usage: VIGIL_BUILD=/abs/build scripts/bench/scale.sh
# BENCH_SCALE_SIZES ("10 100 500 1000"), BENCH_SCALE_WINDOWS (3) windows of
# BENCH_SCALE_WINDOW (20) seconds each per size. Prints a Markdown fragment.
. "$(dirname "$0")/lib.bash"

SIZES=${BENCH_SCALE_SIZES:-10 100 500 1000}
WINDOWS=${BENCH_SCALE_WINDOWS:-3}
WIN=${BENCH_SCALE_WINDOW:-20}
STEP=${BENCH_SCALE_STEP:-0}	# 0: every plugin in the first configuration
HEALTH='check_interval = "1s"
check_timeout = "500ms"
failure_threshold = 3
success_threshold = 2
restart_backoff = "1s"
start_timeout = "120s"
stop_timeout = "10s"'
HZ=$(getconf CLK_TCK)

declare -A HEALTHY CPU LP50 LP99 LMAX MISSED EXPECTED CHECKS LATE GP99 GMAX \
    SUPCPU PLUGCPU IDLE START RSS FDS PPSS
for n in $SIZES; do
	rm -rf "$T/plugins"
	# With BENCH_SCALE_STEP, start STEP and add STEP more at a time with
	# a reload (SIGHUP) once those are healthy (how the first version of
	# this benchmark had to work; see the notes). By default all at once.
	step=$STEP
	[ "$step" -gt 0 ] || step=$n
	first=$(( n < step ? n : step ))
	install_plugins "$first"
	shm=$(new_shm "scale$n")
	write_config "$shm" "$HEALTH"
	t0=$(date +%s%N)
	start_supervisor
	wait_for 10 "segment" "$TOOLS/vigilstate" "$shm" supervisor
	for ((have = first; have < n; have += step)); do
		wait_healthy "$shm" "$have" 180 soft ||
		    note "scale: only $(healthy_count "$shm") of $have healthy"
		next=$(( have + step < n ? have + step : n ))
		install_plugins "$next" p $(( have + 1 ))
		kill -HUP "$SUP_PID"
	done
	if wait_healthy "$shm" "$n" 300 soft; then
		START[$n]=$(( ($(date +%s%N) - t0) / 1000000 ))
		note "scale: $n plugins healthy after ${START[$n]} ms"
	else
		# Measure anyway: the table shows how many were healthy.
		START[$n]=-1
		note "scale: only $(healthy_count "$shm") of $n healthy after 300 s"
	fi
	sleep 5		# let the check grid settle
	c=() hl=() l50=() l99=() lmax=() mi=() ex=() ch=() la=() g99=() gmax=() \
	    sc=() pc=() id=()
	for ((w = 1; w <= WINDOWS; w++)); do
		pids=$(plugin_pids)
		# shellcheck disable=SC2086
		p0=$(cat $(printf '/proc/%s/stat ' $pids) 2>/dev/null |
		    awk '{ s += $14 + $15 } END { print s + 0 }')
		s0=$(cpu_ns "$SUP_PID") k0=$(cpu_ticks "$SUP_PID")
		i0=$(awk '/^cpu / { print $5 + $6 }' /proc/stat)
		"$BENCH/scale_sample" "$shm" "$WIN" >"$T/sample-$n-$w.txt"
		s1=$(cpu_ns "$SUP_PID") k1=$(cpu_ticks "$SUP_PID")
		i1=$(awk '/^cpu / { print $5 + $6 }' /proc/stat)
		# shellcheck disable=SC2086
		p1=$(cat $(printf '/proc/%s/stat ' $pids) 2>/dev/null |
		    awk '{ s += $14 + $15 } END { print s + 0 }')
		get() { awk -F= -v k="$1" '$1 == k { print $2 }' \
		    "$T/sample-$n-$w.txt"; }
		checks=$(get checks)
		win=$(get window_s)
		# Ticks (utime + stime) include threads that exited during
		# the window; the schedstat sum does not, so it is a check.
		# No check in the window: no per-check figure (not infinity).
		[ "${checks:-0}" -gt 0 ] &&
		c+=("$(awk -v d=$((k1 - k0)) -v hz="$HZ" -v c="$checks" \
		    'BEGIN { printf "%.1f", d / hz * 1e6 / c }')")
		sc+=("$(awk -v d=$((k1 - k0)) -v w="$win" -v hz="$HZ" \
		    'BEGIN { printf "%.1f", d / hz * 100 / w }')")
		pc+=("$(awk -v d=$((p1 - p0)) -v w="$win" -v hz="$HZ" \
		    'BEGIN { printf "%.1f", d / hz * 100 / w }')")
		id+=("$(awk -v d=$((i1 - i0)) -v w="$win" -v hz="$HZ" \
		    'BEGIN { printf "%.0f", d / hz * 100 / w }')")
		hl+=("$(get healthy)")
		l50+=("$(get lat_p50_us)") l99+=("$(get lat_p99_us)")
		lmax+=("$(get lat_max_us)") mi+=("$(get missed)")
		ex+=("$(get expected)") ch+=("$checks") la+=("$(get late_gaps)")
		g99+=("$(get gap_p99_ms)") gmax+=("$(get gap_max_ms)")
		note "scale: $n plugins window $w: $checks checks, ${c[-1]} us CPU/check (schedstat of live threads: $(awk -v d=$((s1 - s0)) -v c="$checks" 'BEGIN { printf "%.1f", d / 1000 / c }') us), missed $(get missed), lat p99 $(get lat_p99_us) us"
	done
	CPU[$n]=$(median "${c[@]}") LP50[$n]=$(median "${l50[@]}")
	LP99[$n]=$(median "${l99[@]}") LMAX[$n]=$(median "${lmax[@]}")
	MISSED[$n]=$(median "${mi[@]}") EXPECTED[$n]=$(median "${ex[@]}")
	CHECKS[$n]=$(median "${ch[@]}") LATE[$n]=$(median "${la[@]}")
	GP99[$n]=$(median "${g99[@]}") GMAX[$n]=$(median "${gmax[@]}")
	SUPCPU[$n]=$(median "${sc[@]}") PLUGCPU[$n]=$(median "${pc[@]}")
	IDLE[$n]=$(median "${id[@]}") HEALTHY[$n]=$(median "${hl[@]}")
	# Where the supervisor's CPU goes (perf, software clock: this VM
	# has no hardware counters), at one size.
	if [ "$n" = "${BENCH_PROFILE_SIZE:-100}" ] && command -v perf >/dev/null; then
		perf record -q -e cpu-clock -F 999 -p "$SUP_PID" \
		    -o "$T/perf.data" -- sleep 10 >/dev/null 2>&1 &&
		perf report -i "$T/perf.data" --stdio --sort dso 2>/dev/null |
		    awk '/%/ && $1 + 0 >= 1 { printf "%s %s\n", $1, $2 }' \
		    >"$T/profile.txt"
		PROFILED=$n
	fi
	RSS[$n]=$(rss_kb "$SUP_PID") FDS[$n]=$(fd_count "$SUP_PID")
	pp=()
	for pid in $(plugin_pids | head -n 10); do pp+=("$(pss_kb "$pid")"); done
	PPSS[$n]=$(median "${pp[@]}")
	stop_pid "$SUP_PID" 120
done

cat <<EOF
## Health loop at scale

N copies of \`bench-min\` (the smallest SDK plugin: always healthy) under
one supervisor, $(if [ "$STEP" -gt 0 ]; then
echo "above $STEP plugins started $STEP at a time ($STEP in the initial
configuration, then $STEP more with each reload (SIGHUP) once the
previous ones are healthy; \"time to all healthy\" is that whole ramp),"
else echo "all N in the initial configuration (one start, N plugins at once),"; fi)
\`check_interval = "1s"\`, \`check_timeout = "500ms"\`,
every plugin on TCP loopback (the default address). Once all N are
healthy, and 5 s more, $WINDOWS windows of $WIN s each; medians over the
windows. \`tests/bench/scale_sample\` snapshots the segment every 50 ms
and sees every check (a change of \`total_checks\`) with the supervisor's
own measurement of it (\`last_response_us\`: request sent to reply
received, gRPC transport included).

* CPU per check: the supervisor's CPU time over the window (\`utime +
  stime\` of \`/proc/PID/stat\`: every thread, including gRPC threads
  that exited during the window; 10 ms ticks, so at 10 plugins the
  figure is good to about ±50 µs) divided by the checks done in it.
* Missed intervals: for each plugin, whole intervals in the window minus
  checks seen (never below 0), summed; late gaps: consecutive checks of a
  plugin more than 1.5 intervals apart.

| plugins | time to all healthy | healthy (median) | checks / window | supervisor CPU per check | supervisor CPU | plugins' CPU | machine idle | check latency p50 | p99 | max | missed intervals | late gaps | gap p99 | gap max |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
for n in $SIZES; do
	if [ "${START[$n]}" = -1 ]; then st="not all in 300 s"; else
		st="$(fmt 1 "$(awk -v m="${START[$n]}" 'BEGIN { print m / 1000 }')") s"; fi
	echo "| $n | $st | ${HEALTHY[$n]} | ${CHECKS[$n]} of ${EXPECTED[$n]} | **${CPU[$n]} µs** | ${SUPCPU[$n]}% | ${PLUGCPU[$n]}% | ${IDLE[$n]}% | ${LP50[$n]} µs | ${LP99[$n]} µs | ${LMAX[$n]} µs | ${MISSED[$n]} | ${LATE[$n]} | ${GP99[$n]} ms | ${GMAX[$n]} ms |"
done
cat <<EOF

(CPU percentages are of one core; the machine has $(nproc). "machine idle"
is the share of both cores left idle during the window.)

Resources at the end of each run: supervisor RSS $(for n in $SIZES; do printf '%s MB (%s plugins) ' "$(mb "${RSS[$n]}")" "$n"; done)
and open descriptors $(for n in $SIZES; do printf '%s (%s) ' "${FDS[$n]}" "$n"; done);
one plugin's PSS $(for n in $SIZES; do printf '%s MB (%s) ' "$(mb "${PPSS[$n]}")" "$n"; done).
The script raises \`ulimit -n\` to 65536 for the supervisor: each plugin
costs it two pipes (stdout, stderr) and a connection, and gRPC keeps a few
descriptors of its own.

EOF
if [ -s "$T/profile.txt" ]; then
	cat <<EOF
Where the supervisor's CPU goes with $PROFILED plugins (\`perf record -e
cpu-clock -F 999 -p SUPERVISOR_PID -- sleep 10\`, then \`perf report
--sort dso\`; shares of 1% or more):

| share | where |
| ---: | --- |
$(awk '{ printf "| %s | %s |\n", $1, $2 }' "$T/profile.txt")

EOF
fi
worst=0 nofig=
for n in $SIZES; do
	if [ "${CPU[$n]}" = n/a ]; then nofig+=" $n"; continue; fi
	awk -v a="${CPU[$n]}" -v b="$worst" 'BEGIN { exit !(a > b) }' &&
	    worst=${CPU[$n]}
done
ok=0
le "$worst" 30 && [ -z "$nofig" ] && ok=1
target "Supervisor CPU per check" "≤ 30 µs" "$(for n in $SIZES; do printf '%s µs @%s ' "${CPU[$n]}" "$n"; done)" "$ok" \
    "$([ $ok = 1 ] || echo "worst $worst µs, over by $(fmt 1 "$(awk -v a="$worst" 'BEGIN { print a - 30 }')") µs")$([ -z "$nofig" ] || echo "; no check measured at$nofig plugins")"
echo "Target ≤ 30 µs of supervisor CPU per check: **$([ $ok = 1 ] && echo met || echo missed)** (worst $worst µs)."
# The figure above includes the loop's fixed costs (heartbeat, gRPC's own
# timers) shared by few checks at small sizes; the slope between the
# smallest and largest size is what one more check costs.
set -- $SIZES
lo=$1 hi=${!#}
if [ "$lo" != "$hi" ] && [ "${CHECKS[$hi]:-0}" -gt "${CHECKS[$lo]:-0}" ]; then
	echo
	echo "Marginal cost, from $lo to $hi plugins: ($(fmt 1 "${SUPCPU[$hi]}") % − $(fmt 1 "${SUPCPU[$lo]}") % of a core) over ($(awk -v a="${CHECKS[$hi]}" -v b="${CHECKS[$lo]}" -v w="$WIN" 'BEGIN { printf "%.0f", (a - b) / w }') more checks a second) = **$(awk -v a="${SUPCPU[$hi]}" -v b="${SUPCPU[$lo]}" -v ca="${CHECKS[$hi]}" -v cb="${CHECKS[$lo]}" -v w="$WIN" 'BEGIN { printf "%.1f", (a - b) / 100 * 1e6 / ((ca - cb) / w) }') µs** of supervisor CPU per additional check."
fi
if [ -n "${MISSED[1000]:-}" ]; then
	ok=0
	[ "${MISSED[1000]}" = 0 ] && [ "${LATE[1000]}" = 0 ] && ok=1
	target "Missed intervals at 1,000 plugins" "none" "${MISSED[1000]} missed, ${LATE[1000]} late gaps per ${WIN} s" "$ok"
	echo "Target no missed interval at 1,000 plugins: **$([ $ok = 1 ] && echo met || echo missed)** (${MISSED[1000]} missed, ${LATE[1000]} late gaps)."
fi
echo
echo "Command:"
echo
cmd_block "VIGIL_BUILD=\$PWD/build scripts/bench/scale.sh   # BENCH_SCALE_SIZES=\"10 100 500 1000\" BENCH_SCALE_WINDOW=$WIN" \
    "# one window by hand, with a supervisor running N bench-min plugins:" \
    "build/tests/bench/scale_sample /vigil-bench $WIN"
