#!/bin/bash
# `make install-deploy` (what `make install` runs) installs both units with
# @PREFIX@ replaced, the tmpfiles.d entry and the examples;
# `systemd-analyze verify` accepts both units without a single warning
# (it exits 0 on unknown directives, so its output must be empty too);
# the units have the directives the deployment relies on (Type=notify,
# NotifyAccess=main, WatchdogSec, KillMode=mixed, User=vigil,
# ProtectSystem=strict, an empty CapabilityBoundingSet, ...);
# systemd-tmpfiles creates /run/vigil from the entry; and the example host
# configuration passes `vigil-supervisor --check-config`.
. "$(dirname "$0")/lib.sh"
need systemd-analyze systemd-tmpfiles
fake_prefix "$PFX"
units=$PFX/lib/systemd/system
sup=$units/vigil-supervisor.service api=$units/vigil-apiserver.service
for u in "$sup" "$api"; do
	[ -f "$u" ] || fail "not installed: $u"
	grep -q '@PREFIX@' "$u" && fail "@PREFIX@ left in $u"
	grep -q "^ExecStart=$PFX/bin/vigil-" "$u" || fail "ExecStart not under PREFIX in $u"
done

systemd-analyze verify --man=no "$sup" "$api" >"$T/verify.out" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify.out")"
[ -s "$T/verify.out" ] && fail "systemd-analyze verify warns: $(cat "$T/verify.out")"
echo "systemd-analyze verify: both units clean"

# The same verify does catch a mistake (so the empty output above means
# something).
sed 's/^KillMode=mixed/KillMode=mixd/' "$sup" >"$T/vigil-supervisor.service"
systemd-analyze verify --man=no "$T/vigil-supervisor.service" >"$T/bad.out" 2>&1
grep -q "kill mode.*mixd" "$T/bad.out" || fail "verify did not flag KillMode=mixd: $(cat "$T/bad.out")"

DC units "$sup" "$api"

# tmpfiles.d entry.
tmpf=$PFX/lib/tmpfiles.d/vigil.conf
[ -f "$tmpf" ] || fail "not installed: $tmpf"
mkdir -p "$T/root"
if ! is_root; then
	# Only root may give the directory to root:root: check the rest.
	awk '$1 == "d" { $4 = "-"; $5 = "-" } { print }' "$tmpf" >"$T/vigil.conf"
	tmpf=$T/vigil.conf
fi
systemd-tmpfiles --create --root="$T/root" "$tmpf" >"$T/tmpfiles.out" 2>&1 ||
	fail "systemd-tmpfiles: $(cat "$T/tmpfiles.out")"
[ -d "$T/root/run/vigil" ] || fail "tmpfiles did not create /run/vigil"
got=$(stat -c '%a' "$T/root/run/vigil")
assert_eq "$got" 755 "/run/vigil mode"
if is_root; then
	assert_eq "$(stat -c '%U:%G' "$T/root/run/vigil")" root:root "/run/vigil owner"
fi

# Installed examples.
share=$PFX/share/vigil/deploy
for f in systemd/vigil.toml docker-compose.yml docker/Dockerfile \
    docker/vigil.toml kubernetes/kustomization.yaml \
    kubernetes/deployment.yaml kubernetes/configmap.yaml \
    kubernetes/service.yaml kubernetes/namespace.yaml \
    prometheus/prometheus.yml prometheus/alerts.yml \
    prometheus/alerts_test.yml; do
	[ -f "$share/$f" ] || fail "not installed: share/vigil/deploy/$f"
done

# The example host configuration is valid, with the demo plugin linked in
# as docs/OPERATIONS.md says.
mkdir -p "$T/etc/vigil/plugins"
ln -s "$PFX/libexec/vigil/plugins/antiabuse" "$T/etc/vigil/plugins/antiabuse"
local_config "$share/systemd/vigil.toml" "$T/etc/vigil/vigil.toml"
"$PFX/bin/vigil-supervisor" --config "$T/etc/vigil/vigil.toml" --check-config \
    >"$T/check.out" 2>&1 || fail "--check-config: $(cat "$T/check.out")"
grep -q "1 plugin(s) valid, 0 invalid" "$T/check.out" ||
	fail "--check-config: $(cat "$T/check.out")"
echo ok
