# Helpers for the deployment checks; source it first thing in each check.
#
# Builds on tests/system/common.sh ($T, $SHM, $PORT, run_bg, wait_for,
# fail, the cleanup trap) and adds: a fake install tree made by
# `make install-deploy`, TOML rewriting for a local run of a deployment's
# configuration, and starting the two daemons under the privileges a
# deployment gives them.
. "$VIGIL_SRC/tests/system/common.sh"

# Debian's python3 (python3-yaml); the first python3 on PATH may be a
# separate build without Debian's modules.
PY=/usr/bin/python3
DC() { "$PY" "$VIGIL_SRC/tests/deploy/deploycheck.py" "$@"; }
DEPLOY=$VIGIL_SRC/deploy

# need TOOL...: every tool must be there (scripts/deps.d/deploy.list).
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			fail "$t not found: run 'make deps' (scripts/deps.d/deploy.list)"
	done
	"$PY" -c 'import yaml' 2>/dev/null ||
		fail "$PY has no yaml module: install python3-yaml"
}

# fake_prefix DIR: what `make install PREFIX=DIR` lays out for the
# deployment: install-deploy itself, plus the daemons and demo plugins.
fake_prefix() {
	local pfx=$1 p
	make -s --no-print-directory -C "$VIGIL_SRC" O="$VIGIL_BUILD" \
	    DESTDIR= PREFIX="$pfx" install-deploy >"$T/install-deploy.log" 2>&1 ||
		fail "make install-deploy: $(cat "$T/install-deploy.log")"
	install -d "$pfx/bin"
	install -m 0755 "$BIN/vigil-supervisor" "$BIN/vigil-apiserver" "$pfx/bin/"
	for p in antiabuse flaky; do
		install -d "$pfx/libexec/vigil/plugins/$p"
		install -m 0755 "$PLUGIN_BIN/$p/$p" "$pfx/libexec/vigil/plugins/$p/"
		install -m 0644 "$VIGIL_SRC/plugins/$p/plugin.toml" \
		    "$pfx/libexec/vigil/plugins/$p/"
	done
}

# local_config SRC OUT [EXTRA...]: SRC with the container or host paths
# moved under $T and $PFX, this test's segment and port, and fast checks;
# every other key as shipped.
local_config() {
	local src=$1 out=$2
	shift 2
	DC rewrite "$src" "$out" \
	    --path /etc/vigil="$T/etc/vigil" --path /run/vigil="$T/run/vigil" \
	    --path /usr/libexec/vigil="$PFX/libexec/vigil" \
	    "supervisor.shm_name=\"$SHM\"" "api.listen=\"127.0.0.1:$PORT\"" \
	    'health.check_interval="300ms"' 'health.check_timeout="300ms"' \
	    'health.restart_backoff="100ms"' "$@"
}

# Privileges, as setpriv(1) arguments. Run as root only.
# sup_privs CAP...: root with only these capabilities, no_new_privs.
sup_privs() {
	local caps="-all" c
	for c in "$@"; do caps="$caps,+${c#cap_}"; done
	echo "setpriv --bounding-set=$caps --no-new-privs"
}
# api_privs USER: that user, no capabilities, no_new_privs.
api_privs() {
	echo "setpriv --reuid=$1 --regid=$1 --init-groups --bounding-set=-all --no-new-privs"
}

# start_daemons CONFIG SUP_WRAPPER API_WRAPPER: wrappers may be empty.
start_daemons() {
	local cfg=$1
	# shellcheck disable=SC2086
	run_bg supervisor $2 "$PFX/bin/vigil-supervisor" --config "$cfg"
	SUPERVISOR_PID=$LAST_PID
	wait_for 10 "supervisor segment" "$TOOLS/vigilstate" "$SHM" supervisor
	# shellcheck disable=SC2086
	run_bg apiserver $3 "$PFX/bin/vigil-apiserver" --config "$cfg"
	API_PID=$LAST_PID
	wait_for 10 "apiserver" curl -fsS -o /dev/null \
	    "http://127.0.0.1:$PORT/health/liveness"
}

# http_code METHOD PATH: the status code of one request to the apiserver.
http_code() {
	curl -s -o /dev/null -w '%{http_code}' -X "$1" "http://127.0.0.1:$PORT$2"
}

# stop_pid PID SECONDS: SIGTERM, wait, expect exit status 0.
stop_pid() {
	local pid=$1 limit=$2 rc=0 _
	kill -TERM "$pid"
	for _ in $(seq 1 $((limit * 20))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && fail "pid $pid still running after ${limit}s"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "pid $pid exited with status $rc"
}

# Processes running an executable under the fake prefix (one find, not a
# readlink per process: the machine may be running many).
prefix_procs() {
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$PFX/*" \
	    2>/dev/null | cut -d/ -f3
}

# check_alert_metrics: every metric the alert rules use is served.
check_alert_metrics() {
	local m
	curl -fsS "http://127.0.0.1:$PORT/metrics" >"$T/metrics.txt" ||
		fail "GET /metrics"
	for m in $(DC rule-metrics "$DEPLOY/prometheus/alerts.yml"); do
		grep -Eq "^$m(\{| )" "$T/metrics.txt" ||
			fail "/metrics has no $m, used by deploy/prometheus/alerts.yml"
	done
}

# check_manual_restart PLUGIN: POST /plugins/restart gives 202 and a new
# process that becomes healthy.
check_manual_restart() {
	local name=$1 old new code
	old=$(state "$name" pid)
	code=$(http_code POST "/plugins/restart?plugin=$name")
	assert_eq "$code" 202 "POST /plugins/restart?plugin=$name"
	wait_cond 10 "$name restarted" \
	    "[ \"\$(state $name pid)\" != $old ] && [ \"\$(state $name)\" = healthy ]"
	new=$(state "$name" pid)
	echo "manual restart: $name pid $old -> $new, healthy"
}

PFX=$T/prefix
