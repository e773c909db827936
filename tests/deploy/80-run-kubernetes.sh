#!/bin/bash
# The Kubernetes pod, run here without a cluster: the ConfigMap laid out
# the way the kubelet mounts it at /etc/vigil (..data symlinks, the items'
# paths), moved under a temporary directory; as root, the supervisor gets
# exactly the container's added capabilities and no_new_privs
# (allowPrivilegeEscalation: false), the apiserver runs as vigil with no
# capabilities. Then: the liveness and readiness probe paths from the
# Deployment answer 200 once the plugin is healthy, the JSON log format the
# ConfigMap asks for is in effect, and a manual restart works.
. "$(dirname "$0")/lib.sh"
need curl
fake_prefix "$PFX"
mkdir -p "$T/etc/vigil" "$T/run/vigil"
DC k8s-configmap "$DEPLOY/kubernetes" "$T/etc/vigil"
[ -L "$T/etc/vigil/vigil.toml" ] || fail "ConfigMap layout: no vigil.toml"
for m in "$T"/etc/vigil/plugins/*/plugin.toml; do
	DC rewrite "$m" "$m" --path /usr/libexec/vigil="$PFX/libexec/vigil"
done
local_config "$T/etc/vigil/vigil.toml" "$T/etc/vigil/vigil.toml"

sup_wrap="" api_wrap=""
if is_root; then
	caps=$(DC k8s-caps "$DEPLOY/kubernetes" supervisor)
	[ -n "$caps" ] || fail "no capabilities added for the supervisor"
	# shellcheck disable=SC2086 # one argument per capability
	sup_wrap=$(sup_privs $caps)
	api_wrap=$(api_privs vigil)
	echo "supervisor capabilities: $caps"
else
	echo "not root: privileges as they are"
fi
start_daemons "$T/etc/vigil/vigil.toml" "$sup_wrap" "$api_wrap"

live=$(DC k8s-probe "$DEPLOY/kubernetes" livenessProbe)
ready=$(DC k8s-probe "$DEPLOY/kubernetes" readinessProbe)
assert_eq "$(http_code GET "$live")" 200 "liveness $live"
wait_state antiabuse healthy 10
wait_cond 5 "readiness $ready 200" "[ \$(http_code GET $ready) = 200 ]"
echo "probes: $live 200, $ready 200"

# format = "json": every supervisor line is a JSON object.
"$PY" - "$T/supervisor.log" <<'PY' || fail "supervisor log is not JSON"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "no log lines"
for l in lines:
    assert isinstance(json.loads(l), dict), l
print(f"log: {len(lines)} JSON lines")
PY

check_manual_restart antiabuse
stop_pid "$API_PID" 10
stop_pid "$SUPERVISOR_PID" 30
[ -z "$(prefix_procs)" ] || fail "processes left: $(prefix_procs)"
echo ok
