#!/bin/bash
# docker-compose (Debian's 1.29) accepts deploy/docker-compose.yml, and its
# resolved form has the seed's healthcheck on the apiserver (curl -f
# http://localhost:11371/health, 30s/10s/3), the two services in one IPC
# namespace (ipc: shareable / service:supervisor) and one named volume at
# /run/vigil (writable for the supervisor, read-only for the apiserver),
# port 11371, a non-root apiserver without capabilities.
. "$(dirname "$0")/lib.sh"
need docker-compose
cd "$DEPLOY"
docker-compose -f docker-compose.yml config -q || fail "docker-compose config -q"
docker-compose -f docker-compose.yml config >"$T/compose.yml" 2>"$T/compose.err" ||
	fail "docker-compose config: $(cat "$T/compose.err")"
DC compose <"$T/compose.yml"

# The check itself rejects a compose file without the shared IPC namespace.
sed 's/ipc: service:supervisor/ipc: private/' "$T/compose.yml" >"$T/bad.yml"
cmp -s "$T/compose.yml" "$T/bad.yml" && fail "no ipc: service:supervisor to alter"
DC compose <"$T/bad.yml" 2>/dev/null && fail "the compose check accepts ipc: private"
echo ok
