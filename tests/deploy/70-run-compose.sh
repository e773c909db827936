#!/bin/bash
# The docker-compose deployment, run here without an engine: the image's
# layout (config at /etc/vigil/vigil.toml from deploy/docker/vigil.toml,
# antiabuse linked into /etc/vigil/plugins as the Dockerfile does) moved
# under a temporary directory; as root, the supervisor gets exactly the
# compose file's cap_add and no_new_privs, the apiserver runs as vigil
# with no capabilities. Then: the compose healthcheck command succeeds,
# every metric the alert rules use is served, and POST /plugins/restart
# crosses the control socket (non-root client, socket group vigil) and
# restarts the plugin; both daemons stop with status 0.
. "$(dirname "$0")/lib.sh"
need curl
fake_prefix "$PFX"
mkdir -p "$T/etc/vigil/plugins" "$T/run/vigil"
grep -q 'ln -s /usr/libexec/vigil/plugins/antiabuse /etc/vigil/plugins/antiabuse' \
    "$DEPLOY/docker/Dockerfile" || fail "the Dockerfile no longer links antiabuse"
ln -s "$PFX/libexec/vigil/plugins/antiabuse" "$T/etc/vigil/plugins/antiabuse"
local_config "$DEPLOY/docker/vigil.toml" "$T/etc/vigil/vigil.toml"

sup_wrap="" api_wrap=""
if is_root; then
	caps=$(DC compose-caps "$DEPLOY/docker-compose.yml" supervisor)
	[ -n "$caps" ] || fail "no cap_add for the supervisor"
	# shellcheck disable=SC2086 # one argument per capability
	sup_wrap=$(sup_privs $caps)
	api_wrap=$(api_privs vigil)
	echo "supervisor capabilities: $caps"
else
	echo "not root: privileges as they are"
fi
start_daemons "$T/etc/vigil/vigil.toml" "$sup_wrap" "$api_wrap"
wait_state antiabuse healthy 10
if is_root; then
	assert_eq "$(stat -c %u "/proc/$API_PID")" "$(id -u vigil)" "apiserver uid"
	assert_eq "$(ps -o user= -p "$(state antiabuse pid)")" vigil-plugin "plugin user"
fi

# The compose healthcheck, verbatim but for the port.
docker_test=$(sed -n 's/^ *test: \[\(.*\)\]$/\1/p' "$DEPLOY/docker-compose.yml" |
    tr -d '",' | sed 's/^CMD //')
assert_eq "$docker_test" "curl -f http://localhost:11371/health" "compose healthcheck"
${docker_test/11371/$PORT} -s -o /dev/null || fail "healthcheck command failed"
echo "healthcheck: ${docker_test/11371/$PORT}: ok"

check_alert_metrics
check_manual_restart antiabuse
stop_pid "$API_PID" 10
stop_pid "$SUPERVISOR_PID" 30
[ -z "$(prefix_procs)" ] || fail "processes left: $(prefix_procs)"
echo ok
