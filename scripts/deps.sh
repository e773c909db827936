#!/bin/sh
# Install the Debian 12 packages Vigil needs to build and test; idempotent.
#
# Runs apt-get only when something is missing. As root it installs directly;
# as a normal user it uses sudo; without either it prints the command to run
# and exits 1. It also creates the two system users Vigil runs as when the
# daemons are started as root (vigil for the apiserver, vigil-plugin for
# plugins), since the root system tests use them.
set -eu

PACKAGES="
gcc g++ make pkg-config
libgrpc-dev protobuf-c-compiler libprotobuf-c-dev
libcivetweb-dev libjson-c-dev libbsd-dev libtomlplusplus-dev
libcmocka-dev libsystemd-dev
curl jq procps iproute2 psmisc util-linux
prometheus
"

# Parts of the project that need more (browser tests, deployment checks,
# fuzzing, benchmarks) list their packages in scripts/deps.d/*.list, one
# or more per line, '#' comments allowed.
here=$(cd "$(dirname "$0")" && pwd)
for list in "$here"/deps.d/*.list; do
	[ -f "$list" ] || continue
	PACKAGES="$PACKAGES $(sed 's/#.*//' "$list")"
done
if [ -n "${VIGIL_EXTRA_PACKAGES:-}" ]; then
	PACKAGES="$PACKAGES $VIGIL_EXTRA_PACKAGES"
fi

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

users_missing=""
for u in vigil vigil-plugin; do
	getent passwd "$u" >/dev/null 2>&1 || users_missing="$users_missing $u"
done

[ -z "$missing" ] && [ -z "$users_missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends $missing
fi

# Only promtool is wanted from prometheus: where its postinst started the
# server, stop it again.
case " $missing " in
*" prometheus "*)
	if command -v systemctl >/dev/null 2>&1 &&
	    systemctl is-active --quiet prometheus 2>/dev/null; then
		$SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
	fi ;;
esac

for u in $users_missing; do
	echo "deps: creating system user $u"
	$SUDO useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$u"
done
