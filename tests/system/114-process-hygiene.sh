#!/bin/bash
# What a plugin process gets: a clean environment (plus the manifest's env),
# no inherited descriptors of the supervisor, its own process group, the
# plugin directory as working directory, the manifest's rlimits and
# [vigil.health] overrides, and (as root) the configured user.
. "$(dirname "$0")/common.sh"

write_config
user_line=
is_root && user_line='user = "nobody"'
extra="[vigil]
env = { GREETING = \"hello world\" }
rlimit_nofile = 256
rlimit_cpu = 3600
$user_line
[vigil.health]
check_interval = \"150ms\"
check_timeout = \"100ms\""
install_plugin clean "$PLUGIN_BIN/antiabuse/antiabuse" "$extra"
install_plugin plain "$PLUGIN_BIN/antiabuse/antiabuse"
export SECRET_OF_THE_SUPERVISOR=leak
start_supervisor
wait_state clean healthy 5
wait_state plain healthy 5
pid=$(state clean pid)

env_keys=$(tr '\0' '\n' <"/proc/$pid/environ" | cut -d= -f1 | sort | tr '\n' ' ')
echo "environment: $env_keys"
for k in $env_keys; do
	case "$k" in
	PATH|HOME|PLUGIN_NAME|PLUGIN_VERSION|PLUGIN_GRPC_ADDRESS|GREETING) ;;
	ASAN_OPTIONS|UBSAN_OPTIONS|LSAN_OPTIONS) ;;
	*) fail "unexpected variable $k in the plugin's environment" ;;
	esac
done
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx 'GREETING=hello world' ||
	fail "manifest env missing"

# No descriptor of the supervisor's: segment, control socket, config,
# log, other plugins' pipes.
for fd in /proc/"$pid"/fd/*; do
	target=$(readlink "$fd" || true)
	case "$target" in
	*"$SHM"*|*control.sock*|*vigil.toml*|*supervisor.log*)
		fail "plugin inherited $target" ;;
	esac
done
sup_pipes=$(ls -l /proc/"$SUPERVISOR_PID"/fd | grep -o 'pipe:\[[0-9]*\]' | sort -u)
for fd in /proc/"$pid"/fd/*; do
	t=$(readlink "$fd" || true)
	case "$t" in pipe:*)
		n=$(ls -l /proc/"$SUPERVISOR_PID"/fd | grep -c "$t" || true)
		# stdout/stderr pipes are shared by design (fds 1, 2).
		case "$fd" in */1|*/2) ;; *)
			[ "$n" -eq 0 ] || fail "plugin fd $fd shares $t with the supervisor" ;;
		esac ;;
	esac
done
[ -n "$sup_pipes" ] || fail "no pipes found on the supervisor (test broken)"

pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
assert_eq "$pgid" "$pid" "plugin leads its own process group"
assert_eq "$(readlink /proc/$pid/cwd)" "$T/plugins/clean" "working directory"
grep -q '^Max open files *256 *256' "/proc/$pid/limits" ||
	fail "rlimit_nofile not applied: $(grep 'open files' /proc/$pid/limits)"
grep -q '^Max cpu time *3600 *3600' "/proc/$pid/limits" ||
	fail "rlimit_cpu not applied"
# [vigil.health] applies to this plugin only.
c0=$(state clean checks); p0=$(state plain checks)
wait_cond 5 "ten checks of clean" "[ \$(state clean checks) -ge $((c0 + 10)) ]"
p1=$(state plain checks)
[ $((p1 - p0)) -lt 10 ] || fail "plain was checked as often as clean"
if is_root; then
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
	assert_eq "$uid" "$(id -u nobody)" "manifest user"
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$(state plain pid)/status")
	assert_eq "$uid" "$(id -u vigil-plugin)" "default plugin user"
	grep -q "^CapEff:[[:space:]]*0*$" "/proc/$pid/status" ||
		fail "plugin has capabilities"
fi
stop_supervisor
echo ok
