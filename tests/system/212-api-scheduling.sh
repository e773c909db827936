#!/bin/bash
# [api] scheduling: by default every apiserver thread (CivetWeb's workers
# included) runs under SCHED_BATCH; "inherit" keeps the policy it was
# started with; anything else is a configuration error naming the key.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

# policies PID: the scheduling policy of each of PID's threads, counted
# ("3 x12": 12 threads under policy 3). 0 is SCHED_OTHER, 3 SCHED_BATCH.
policies() {
	local t
	for t in /proc/"$1"/task/*/stat; do
		# Field 41 of stat(5); the command name may hold spaces.
		sed 's/.*) //' "$t" | awk '{ print $39 }'
	done | sort | uniq -c | awk '{ printf "%s x%s\n", $2, $1 }'
}

start_writer "plugin one state=healthy" "flags +ready"

# Each apiserver starts under SCHED_OTHER (chrt --other), whatever policy
# this test runs under, except the one started under SCHED_BATCH.
start_other() {
	run_bg "$1" chrt --other 0 "$API_BIN" --config "$T/vigil.toml"
	API_PID=$LAST_PID
	wait_for 10 "apiserver ($1)" curl -s -o /dev/null "$URL/nothing"
}

write_config
start_other api
expect_code 200 /health
got=$(policies "$API_PID")
echo "default: $got"
[ "$(echo "$got" | cut -d' ' -f1 | sort -u)" = 3 ] ||
	fail "not every thread is SCHED_BATCH: $got"
# threads = 4: the workers are among them.
n=$(echo "$got" | sed 's/.* x//')
[ "$n" -ge 5 ] || fail "only $n threads"
grep -q 'scheduling' "$T/api.log" && fail "warning: $(cat "$T/api.log")"
stop_pid "$API_PID"

write_config 'scheduling = "inherit"'
start_other api-inherit
expect_code 200 /health
got=$(policies "$API_PID")
echo "inherit: $got"
[ "$(echo "$got" | cut -d' ' -f1 | sort -u)" = 0 ] ||
	fail "inherit changed the policy: $got"
stop_pid "$API_PID"

# Started under SCHED_BATCH already (as systemd's CPUSchedulingPolicy=
# does): nothing to change, nothing logged.
write_config
run_bg api2 chrt --batch 0 "$API_BIN" --config "$T/vigil.toml"
API_PID=$LAST_PID
wait_for 10 "apiserver under chrt" curl -s -o /dev/null "$URL/nothing"
[ "$(policies "$API_PID" | cut -d' ' -f1 | sort -u)" = 3 ] ||
	fail "policy under chrt: $(policies "$API_PID")"
grep -q 'scheduling' "$T/api2.log" && fail "warning: $(cat "$T/api2.log")"
stop_pid "$API_PID"

write_config 'scheduling = "fifo"'
rc=0
"$API_BIN" --config "$T/vigil.toml" >"$T/bad.log" 2>&1 || rc=$?
assert_eq "$rc" 1 "exit status for a bad policy"
grep -q 'scheduling: expected one of batch, inherit, got \\"fifo\\"' "$T/bad.log" ||
	fail "error message: $(cat "$T/bad.log")"
echo "scheduling ok"
