#!/bin/bash
# Crash loop: a plugin that dies right after start is restarted with
# backoff = restart_backoff * n (capped, +-10% jitter) and marked failed
# after max_restarts restarts. A manual restart over the control socket
# (after fixing the cause) brings it back to healthy.
# vigil-test: alone
. "$(dirname "$0")/common.sh"

HEALTH_TOML='check_interval = "200ms"
check_timeout = "150ms"
success_threshold = 1
max_restarts = 4
restart_backoff = "300ms"
max_restart_backoff = "1s"
stop_timeout = "1s"'
write_config
mkdir -p "$T/plugins/crashy"
cp "$PLUGIN_BIN/flaky/flaky" "$T/plugins/crashy/flaky"
touch "$T/broken"
cat >"$T/plugins/crashy/run.sh" <<SH
#!/bin/sh
# Crash 50 ms after start while the marker file exists.
[ -e "$T/broken" ] && export FLAKY_CRASH_AFTER_MS=50
exec ./flaky
SH
chmod 0755 "$T/plugins/crashy/run.sh" "$T/plugins/crashy/flaky"
cat >"$T/plugins/crashy/plugin.toml" <<MAN
[plugin]
name = "crashy"
version = "1.0.0"
executable = "run.sh"
MAN
start_supervisor
wait_state crashy failed 20
assert_eq "$(state crashy total_restarts)" "4" "restarts before failed"
grep -q 'to=failed reason="max restarts exceeded"' "$T/supervisor.log" ||
	fail "failed transition not logged"

# Delay between each exit and the next start, from the supervisor's log.
delays=$(log_delays "$T/supervisor.log" 'msg="plugin exited" plugin=crashy' \
    'plugin=crashy from=unhealthy to=restarting')
echo "delays between exit and restart (ms): $(echo $delays)"
n=1
for d in $delays; do
	want=$((300 * n)); [ $want -gt 1000 ] && want=1000
	lo=$((want * 90 / 100 - 5)); hi=$((want * 110 / 100 + 60))
	[ "$d" -ge "$lo" ] && [ "$d" -le "$hi" ] ||
		fail "restart $n came after $d ms; want $want ms +-10%"
	n=$((n + 1))
done
[ $n -eq 5 ] || fail "saw $((n - 1)) restarts in the log, want 4"

# Still failed a while later: failed is not retried automatically.
sleep 1
assert_eq "$(state crashy state)" "failed" "state after waiting"

rm -f "$T/broken"
out=$("$TOOLS/ctlsend" "$SOCK" restart crashy)
echo "$out"
case "$out" in accepted*) ;; *) fail "manual restart: $out" ;; esac
wait_state crashy healthy 10
assert_eq "$(state crashy restarts)" "0" "restart count after manual restart"
stop_supervisor
echo ok
