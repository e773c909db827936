#!/bin/bash
# scripts/demo.sh (what `make demo` runs): every demo plugin healthy or
# degraded within 10 s according to /health, the dashboard served, the
# daemons and plugins under the right users when root; SIGTERM stops
# everything and leaves no process, segment or directory; a second demo
# on a port in use fails cleanly.
# vigil-test: alone
. "$(dirname "$0")/common.sh"

URL="http://127.0.0.1:$PORT"
DEMO_PLUGINS="antiabuse crasher sandbox sluggish steady"
export VIGIL_DEMO_PORT=$PORT VIGIL_DEMO_ADDR=127.0.0.1 VIGIL_DEMO_LOGS=0

# every_plugin_up: the five demo plugins, each healthy or degraded.
every_plugin_up() {
	curl -s --max-time 1 "$URL/health" | jq -e --arg names "$DEMO_PLUGINS" '
	    .supervisor.up and ([($names | split(" "))[] as $n
	      | .plugins[$n].status] | all(. == "healthy" or . == "degraded"))'
}

# On any exit, let the demo stop by itself first: common.sh's clean-up
# gives a job 5 s before SIGKILL, which could cut the demo's own clean-up
# short and leave its directory behind.
stop_demo() {
	[ -n "${DEMO_PID:-}" ] && kill -0 "$DEMO_PID" 2>/dev/null || return 0
	kill -TERM "$DEMO_PID"
	for _ in $(seq 1 600); do
		kill -0 "$DEMO_PID" 2>/dev/null || return 0
		sleep 0.05
	done
}
# On failure, keep the demo's own logs for common.sh to show.
keep_demo_logs() {
	local d
	d=$(sed -n 's/^demo: starting in \([^ ]*\) .*/\1/p' "$T/demo.log" 2>/dev/null)
	[ -n "$d" ] || return 0
	cp "$d/supervisor.log" "$T/demo-supervisor.log" 2>/dev/null
	cp "$d/apiserver.log" "$T/demo-apiserver.log" 2>/dev/null
	curl -s --max-time 2 "$URL/plugins/health" >"$T/plugins-health.log" 2>&1
	return 0
}
# set +e: a failing cp or curl here must not end the trap before cleanup.
trap 'rc=$?; set +e; [ "$rc" -eq 0 ] || keep_demo_logs; stop_demo; (exit $rc); cleanup' EXIT

# The promise is 10 s; an ASan build starts and answers more slowly.
limit=10
[ "${VIGIL_SAN:-0}" = 1 ] && limit=20
start=$(date +%s%N)
run_bg demo bash "$VIGIL_SRC/scripts/demo.sh"
DEMO_PID=$LAST_PID
wait_for "$limit" "every demo plugin healthy or degraded" every_plugin_up
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "every demo plugin up after ${ms} ms"
curl -s "$URL/health" >"$T/health.json"
assert_eq "$(jq -r '.summary.totalPlugins' "$T/health.json")" 5 "plugins"
assert_eq "$(jq -r '.plugins.sluggish.status' "$T/health.json")" degraded \
    "sluggish"
assert_eq "$(jq -r '.supervisor.demo' "$T/health.json")" true "demo mode"
wait_for 10 "URL printed" grep -q "dashboard: http://127.0.0.1:$PORT/" \
    "$T/demo.log"

# The dashboard and its files.
for f in / /app.js /style.css; do
	code=$(curl -s -o "$T/page" -w '%{http_code} %{content_type}' "$URL$f")
	case "$code" in 200\ *) ;; *) fail "GET $f -> $code" ;; esac
done
grep -q 'id="timeline"' <(curl -s "$URL/") || fail "index.html is not the dashboard"
curl -s -o /dev/null -w '%{http_code}' -X POST \
    "$URL/plugins/simulate?plugin=sandbox&fault=recover" | grep -qx 202 ||
	fail "simulation not accepted by the demo"

# What must disappear: the directory, the segment, every process.
dir=$(sed -n 's/^demo: starting in \([^ ]*\) .*/\1/p' "$T/demo.log")
[ -d "$dir" ] || fail "demo directory not found: '$dir'"
shm=$(sed -n 's/^shm_name = "\(.*\)"$/\1/p' "$dir/vigil.toml")
[ -e "/dev/shm$shm" ] || fail "segment $shm not found"
sup=$(sed -n 's/.*(supervisor pid \([0-9]*\), apiserver pid \([0-9]*\)).*/\1/p' "$T/demo.log")
api=$(sed -n 's/.*(supervisor pid \([0-9]*\), apiserver pid \([0-9]*\)).*/\2/p' "$T/demo.log")
plugin_pids=$(curl -s "$URL/plugins/status" | jq -r '.plugins[].pid')
[ "$(echo "$plugin_pids" | wc -w)" -eq 5 ] || fail "plugin pids: $plugin_pids"
if is_root; then
	assert_eq "$(stat -c %U "/proc/$api")" vigil "apiserver user"
	for p in $plugin_pids; do
		assert_eq "$(stat -c %U "/proc/$p")" vigil-plugin "plugin $p user"
	done
fi

# demo_procs: processes of this demo still alive (by pid and by exe).
demo_procs() {
	local p exe
	for p in $sup $api $plugin_pids; do
		[ -d "/proc/$p" ] && echo "$p"
	done
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case "$exe" in "$dir"/*) echo "${p#/proc/}" ;; esac
	done
	return 0
}

# A second demo on the same port: refused at start-up, nothing left.
out=$(bash "$VIGIL_SRC/scripts/demo.sh" 2>&1) && fail "second demo started"
echo "$out" | grep -q "port $PORT in use" || fail "second demo said: $out"
dir2=$(echo "$out" | sed -n 's/^demo: starting in \([^ ]*\) .*/\1/p')
[ -z "$dir2" ] || [ ! -e "$dir2" ] || fail "second demo left $dir2"
every_plugin_up >/dev/null || fail "first demo disturbed by the second"

kill -TERM "$DEMO_PID"
for _ in $(seq 1 600); do
	kill -0 "$DEMO_PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$DEMO_PID" 2>/dev/null && fail "demo.sh still running 30 s after SIGTERM"
rc=0
wait "$DEMO_PID" || rc=$?
assert_eq "$rc" 0 "demo.sh exit status"
left=$(demo_procs)
[ -z "$left" ] || fail "processes left: $left"
[ ! -e "/dev/shm$shm" ] || fail "segment $shm left"
[ ! -e "$dir" ] || fail "directory $dir left"
echo ok
