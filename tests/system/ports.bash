# free_port: print a TCP port on 127.0.0.1 that no socket uses right now,
# below the kernel's ephemeral range (ip_local_port_range): a port in that
# range can be taken at any moment as the local end of an outgoing
# connection (a gRPC channel, curl) or by a plugin port the supervisor
# asks the kernel for, and the server's bind then fails with "address in
# use". Returns 1 (with a message) when 100 draws found none.
#
# Sourced by tests/system/common.sh and scripts/bench/lib.bash; not a test
# (no .sh suffix).
free_port() {
	local p lo hi span c
	{ read -r lo hi </proc/sys/net/ipv4/ip_local_port_range; } 2>/dev/null ||
	    lo=32768 hi=60999
	# The larger gap: below the range (from 10000) or above it.
	if [ $((lo - 10000)) -ge $((65535 - hi)) ]; then
		p=10000 span=$((lo - 10000))
	else
		p=$((hi + 1)) span=$((65535 - hi))
	fi
	# A range that leaves no room (e.g. 1024-65535): any port, checked.
	if [ "$span" -lt 256 ]; then
		p=20000 span=40000
	fi
	for _ in $(seq 1 100); do
		c=$(( p + $(od -An -N2 -tu2 /dev/urandom) % span ))
		if ! ss -Htan "sport = :$c" | grep -q .; then
			echo "$c"
			return 0
		fi
	done
	echo "no free port in $p-$((p + span - 1))" >&2
	return 1
}
