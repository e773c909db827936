#!/bin/bash
# The Dockerfile's structure, since no container engine runs here (and
# hadolint is not packaged by Debian): two stages on debian:bookworm-slim,
# build tools only in the first (every compiler and -dev package that
# scripts/deps.sh installs), both daemons and the plugins copied into
# the second, a non-root USER, the seed's HEALTHCHECK, the apiserver as
# the default command; and .dockerignore keeps build output out of the
# build context.
. "$(dirname "$0")/lib.sh"
need
DC dockerfile "$DEPLOY/docker/Dockerfile" "$VIGIL_SRC/scripts/deps.sh"

# Every file the Dockerfile COPYs from the context exists and is not
# excluded by .dockerignore.
ign=$VIGIL_SRC/.dockerignore
[ -f "$ign" ] || fail ".dockerignore missing"
for pat in build .git; do
	grep -qx "$pat\|/$pat\|$pat/\|/$pat/" "$ign" || fail ".dockerignore does not exclude $pat"
done
for f in $(grep -E '^COPY [^-]' "$DEPLOY/docker/Dockerfile" | awk '{print $2}'); do
	[ "$f" = . ] && continue
	[ -e "$VIGIL_SRC/$f" ] || fail "COPY source $f does not exist"
	grep -qx "$f" "$ign" && fail "COPY source $f is in .dockerignore"
done
# The files `make all install` needs are in the context.
for f in Makefile proto common supervisor apiserver plugins tests/module.mk; do
	grep -qx "/\?$f/\?" "$ign" && fail ".dockerignore excludes $f, which the build needs"
done
echo ok
