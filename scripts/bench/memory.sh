#!/bin/bash
# Benchmark: resident memory of the supervisor with 0, 10 and 100 plugins.
#
# Usage: VIGIL_BUILD=/abs/build scripts/bench/memory.sh
# Prints a Markdown fragment. The apiserver's memory under load is measured
# by api.sh (it needs the wrk load).
. "$(dirname "$0")/lib.bash"

SIZES=${BENCH_MEMORY_SIZES:-0 10 100}
HEALTH='check_interval = "1s"
check_timeout = "500ms"
start_timeout = "60s"'

declare -A RSS ANON HWM PSS PLUG_RSS PLUG_PSS
for n in $SIZES; do
	rm -rf "$T/plugins"
	mkdir -p "$T/plugins"
	[ "$n" -gt 0 ] && install_plugins "$n"
	shm=$(new_shm "mem$n")
	write_config "$shm" "$HEALTH"
	start_supervisor
	wait_for 10 "segment" "$TOOLS/vigilstate" "$shm" supervisor
	[ "$n" -gt 0 ] && wait_healthy "$shm" "$n" 120
	# Some checks after everything is healthy, then three samples.
	sleep 5
	r=() a=() p=()
	for _ in 1 2 3; do
		r+=("$(rss_kb "$SUP_PID")")
		a+=("$(anon_kb "$SUP_PID")")
		p+=("$(pss_kb "$SUP_PID")")
		sleep 1
	done
	RSS[$n]=$(median "${r[@]}")
	PSS[$n]=$(median "${p[@]}")
	ANON[$n]=$(median "${a[@]}")
	HWM[$n]=$(hwm_kb "$SUP_PID")
	pr=() pp=()
	for pid in $(plugin_pids | head -n 10); do
		pr+=("$(rss_kb "$pid")")
		pp+=("$(pss_kb "$pid")")
	done
	PLUG_RSS[$n]=$(median "${pr[@]:-0}")
	PLUG_PSS[$n]=$(median "${pp[@]:-0}")
	note "memory: $n plugins: supervisor RSS ${RSS[$n]} kB"
	stop_pid "$SUP_PID" 60
done

cat <<EOF
## Memory

Resident memory of \`vigil-supervisor\` once every plugin is healthy and
checked every second (median of 3 samples, 1 s apart, starting 5 s after
the last plugin turned healthy). RSS counts every page mapped in,
shared-library text included; PSS divides shared pages among the processes
that share them. Plugins are \`bench-min\` (the smallest SDK plugin);
their figures are the median over (up to) 10 of them.

| plugins | supervisor RSS | of which anonymous (heap, stacks) | of which file-backed (libraries) | supervisor PSS | supervisor peak RSS | one plugin RSS | one plugin PSS |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
for n in $SIZES; do
	if [ "$n" -gt 0 ]; then
		pl="$(mb "${PLUG_RSS[$n]}") MB | $(mb "${PLUG_PSS[$n]}") MB"
	else
		pl="- | -"
	fi
	echo "| $n | $(mb "${RSS[$n]}") MB | $(mb "${ANON[$n]}") MB | $(mb $(( RSS[$n] - ANON[$n] ))) MB | $(mb "${PSS[$n]}") MB | $(mb "${HWM[$n]}") MB | $pl |"
done
echo
if [ -n "${RSS[100]:-}" ]; then
	ok=0
	le "${RSS[100]}" 10240 && ok=1
	target "Supervisor RSS, 100 plugins" "≤ 10 MB" "$(mb "${RSS[100]}") MB" \
	    "$ok" "$([ $ok = 1 ] || echo "over by $(mb $(( RSS[100] - 10240 ))) MB")"
	echo "Target: supervisor ≤ 10 MB at 100 plugins: **$([ $ok = 1 ] && echo met || echo missed)** ($(mb "${RSS[100]}") MB)."
	echo
fi
echo "Command:"
echo
cmd_block "VIGIL_BUILD=\$PWD/build scripts/bench/memory.sh"
