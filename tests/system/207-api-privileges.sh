#!/bin/bash
# As root: the apiserver binds a privileged port, then serves as [api] user
# with no capabilities and cannot write the state segment.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

is_root || { echo "needs root"; exit 77; }
getent passwd vigil >/dev/null || { echo "user vigil missing (scripts/deps.sh)"; exit 77; }

# A free port below 1024 shows that binding happens before the drop.
for p in $(seq 1000 1023); do
	ss -Hltn "sport = :$p" | grep -q . || { PORT=$p; break; }
done
URL="http://127.0.0.1:$PORT"
# The token file is root-only; it must be read before dropping.
printf 'root-only-token-0123456789\n' >"$T/token"
chmod 0600 "$T/token"
write_config "user = \"vigil\"
token_file = \"$T/token\""
start_writer "plugin antiabuse state=healthy"
start_api
expect_code 200 /health

uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$API_PID/status")
assert_eq "$uid" "$(id -u vigil) $(id -u vigil) $(id -u vigil) $(id -u vigil)" "uids"
for t in /proc/"$API_PID"/task/*; do
	assert_eq "$(awk '/^CapEff:/ { print $2 }' "$t/status")" 0000000000000000 "CapEff $t"
	assert_eq "$(awk '/^CapPrm:/ { print $2 }' "$t/status")" 0000000000000000 "CapPrm $t"
done
assert_eq "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$API_PID/status")" 1 "no_new_privs"
grep -q 'dropped privileges' "$T/api.log" || fail "no drop logged"

# The segment is mapped read-only, shared.
maps=$(grep "/dev/shm$SHM" "/proc/$API_PID/maps" || true)
[ -n "$maps" ] || fail "segment not mapped"
echo "$maps" | awk '{ print $2 }' | grep -qv '^r--s$' && fail "writable mapping: $maps"

# The apiserver's user cannot open the segment for writing.
if setpriv --reuid=vigil --regid="$(id -g vigil)" --clear-groups \
    sh -c "exec 3<>/dev/shm$SHM" 2>/dev/null; then
	fail "user vigil can write the segment"
fi
echo "privileges ok"
