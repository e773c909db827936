#!/bin/bash
# Benchmark: HTTP API throughput and latency, against nginx serving /health.
#
# Usage: VIGIL_BUILD=/abs/build scripts/bench/api.sh
# BENCH_ROUNDS (3) rounds; each runs wrk on vigil /health, nginx /health
# and /health on a second apiserver with [api] scheduling = "inherit"
# (nginx in the middle, the two apiservers swapping places each round),
# then vigil /plugins/health and /metrics.
# BENCH_WRK_SECONDS (10) per run. Prints a Markdown fragment.
. "$(dirname "$0")/lib.bash"

SECS=${BENCH_WRK_SECONDS:-10}
WRK_ARGS="-t2 -c64 -d${SECS}s --latency"
command -v wrk >/dev/null || die "wrk is not installed (make deps)"
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
command -v nginx >/dev/null || die "nginx is not installed (make deps)"

SHM=$(new_shm api)
PORT=$(free_port)
NPORT=$(free_port)
[ "$PORT" != "$NPORT" ] || NPORT=$(free_port)
IPORT=$(free_port)
while [ "$IPORT" = "$PORT" ] || [ "$IPORT" = "$NPORT" ]; do IPORT=$(free_port); done

# --- state: 16 healthy plugins from shmwriter --------------------------------
args=()
for i in $(seq -w 1 16); do
	args+=("plugin plugin$i state=healthy response_ms=3 last_check=now last_healthy=now")
done
run_bg shmwriter "$TOOLS/shmwriter" "$SHM" "${args[@]}" flags\ +ready
WRITER_PID=$LAST_PID
wait_for 10 "shmwriter" grep -q '^ready' "$T/shmwriter.log"

# --- vigil-apiserver -----------------------------------------------------------
cat >"$T/api.toml" <<EOF
[supervisor]
shm_name = "$SHM"
control_socket = "$T/control.sock"
[api]
listen = "127.0.0.1:$PORT"
threads = 64
heartbeat_timeout = "3s"
[logging]
level = "warn"
EOF
run_bg apiserver "$BIN/vigil-apiserver" --config "$T/api.toml"
API_PID=$LAST_PID
wait_for 10 "apiserver" curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"
# The same with the scheduling policy it was started with (SCHED_OTHER).
sed -e "s/:$PORT\"/:$IPORT\"/" -e '/^threads/a scheduling = "inherit"' \
    "$T/api.toml" >"$T/api-inherit.toml"
run_bg apiserver-inherit "$BIN/vigil-apiserver" --config "$T/api-inherit.toml"
INHERIT_PID=$LAST_PID
wait_for 10 "apiserver (inherit)" curl -sf -o /dev/null "http://127.0.0.1:$IPORT/health"

# --- nginx with the same /health bytes ------------------------------------------
mkdir -p "$T/www" "$T/nginx/tmp"
curl -sf -o "$T/www/health.json" "http://127.0.0.1:$PORT/health"
HEALTH_BYTES=$(stat -c %s "$T/www/health.json")
chmod -R a+rX "$T/www"
cat >"$T/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $T/nginx/tmp/body;
	proxy_temp_path $T/nginx/tmp/proxy;
	fastcgi_temp_path $T/nginx/tmp/fastcgi;
	uwsgi_temp_path $T/nginx/tmp/uwsgi;
	scgi_temp_path $T/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$NPORT;
		location = /health {
			default_type application/json;
			add_header Cache-Control no-store;
			add_header X-Content-Type-Options nosniff;
			alias $T/www/health.json;
		}
	}
}
EOF
run_bg nginx nginx -p "$T/nginx" -e "$T/nginx/error.log" -c "$T/nginx/nginx.conf"
NGINX_PID=$LAST_PID
wait_for 10 "nginx" curl -sf -o /dev/null "http://127.0.0.1:$NPORT/health"
cmp -s "$T/www/health.json" <(curl -sf "http://127.0.0.1:$NPORT/health") ||
    die "nginx does not serve the same /health bytes"

# --- wrk --------------------------------------------------------------------------
# wrk_run LABEL URL: one wrk run; appends "label rps p50_ms p99_ms" to
# $T/results and keeps the output in $T/wrk-LABEL-ROUND.txt.
round=0
wrk_run() {
	local label=$1 url=$2 out
	out="$T/wrk-$label-$round.txt"
	# shellcheck disable=SC2086
	wrk $WRK_ARGS "$url" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
	awk -v l="$label" '
	function ms(s) {
		if (s ~ /us$/) return s * 0.001
		if (s ~ /ms$/) return s + 0
		if (s ~ /s$/) return s * 1000
		return s
	}
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx/ { bad = $NF }
	END { printf "%s %s %.3f %.3f %s\n", l, rps, p50, p99, bad + 0 }
	' "$out" >>"$T/results"
	note "api: round $round $(tail -n 1 "$T/results")"
}

# Sample the apiserver's RSS every half second while wrk runs.
( trap - EXIT INT TERM
  while alive "$API_PID"; do rss_kb "$API_PID"; sleep 0.5; done ) \
    >"$T/api-rss.txt" 2>/dev/null &
SAMPLER=$!
BG_PIDS+=("$SAMPLER")
API_RSS_IDLE=$(rss_kb "$API_PID")

for ((round = 1; round <= ROUNDS; round++)); do
	if ((round % 2)); then
		wrk_run vigil_health "http://127.0.0.1:$PORT/health"
		wrk_run nginx_health "http://127.0.0.1:$NPORT/health"
		wrk_run vigil_inherit_health "http://127.0.0.1:$IPORT/health"
	else
		wrk_run vigil_inherit_health "http://127.0.0.1:$IPORT/health"
		wrk_run nginx_health "http://127.0.0.1:$NPORT/health"
		wrk_run vigil_health "http://127.0.0.1:$PORT/health"
	fi
	wrk_run vigil_plugins_health "http://127.0.0.1:$PORT/plugins/health"
	wrk_run vigil_metrics "http://127.0.0.1:$PORT/metrics"
done
API_RSS_MAX=$(sort -n "$T/api-rss.txt" | tail -n 1)
API_HWM=$(hwm_kb "$API_PID")
API_RSS_AFTER=$(rss_kb "$API_PID")
API_ANON=$(anon_kb "$API_PID")
stop_pid "$SAMPLER" 1
PB_BYTES=$(curl -sf "http://127.0.0.1:$PORT/plugins/health" | wc -c)
MET_BYTES=$(curl -sf "http://127.0.0.1:$PORT/metrics" | wc -c)
stop_pid "$NGINX_PID" 10
stop_pid "$INHERIT_PID" 10
stop_pid "$API_PID" 10
stop_pid "$WRITER_PID" 5

# --- report ------------------------------------------------------------------------
col() { awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$T/results"; }
med() { median $(col "$1" "$2"); }
ratios=()
mapfile -t va < <(col vigil_health 2)
mapfile -t ng < <(col nginx_health 2)
for ((i = 0; i < ${#va[@]}; i++)); do
	ratios+=("$(ratio "${va[$i]}" "${ng[$i]}" 3)")
done
RATIO=$(fmt 2 "$(median "${ratios[@]}")")
iratios=()
mapfile -t vi < <(col vigil_inherit_health 2)
for ((i = 0; i < ${#vi[@]}; i++)); do
	iratios+=("$(ratio "${vi[$i]}" "${ng[$i]}" 3)")
done
IRATIO=$(fmt 2 "$(median "${iratios[@]}")")
VP99=$(med vigil_health 4)
errors=$(awk '{ s += $5 } END { print s + 0 }' "$T/results")

cat <<EOF
## HTTP API

\`wrk $WRK_ARGS\` against \`vigil-apiserver\` and against nginx, both on
127.0.0.1, in the same run, $ROUNDS rounds (the \`/health\` runs of a
round: nginx between the two apiservers, which swap places each round). Medians over the rounds; the ratio is
the median of the per-round ratios.

* State: 16 healthy plugins published by \`tests/tools/shmwriter\` (fake
  records, heartbeat every 100 ms); no supervisor, no plugin processes.
* \`vigil-apiserver\`: \`threads = 64\` (one worker per keep-alive
  connection, see docs/API.md "Threads and keep-alive"), default \`-O2\`
  build, default \`scheduling = "batch"\` (SCHED_BATCH, docs/API.md "CPU
  scheduling"). Every request reads the header and libvigil's write
  counter; answers come from the memo while they match (docs/API.md).
  A second apiserver with \`scheduling = "inherit"\` (SCHED_OTHER) is
  measured in each round too, for comparison.
* nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'): 2 workers, access log off,
  serving the bytes of the apiserver's \`/health\` answer
  ($HEALTH_BYTES bytes) as a static file with the same \`Content-Type\`,
  \`Cache-Control\` and \`X-Content-Type-Options\`; config and prefix
  private to the run.
* wrk, the servers and the load share the 2 cores, so every figure is
  CPU-bound on one machine: compare the ratio, not the absolute numbers.

| endpoint | server | body bytes | req/s | p50 | p99 |
| --- | --- | ---: | ---: | ---: | ---: |
| \`/health\` | vigil-apiserver | $HEALTH_BYTES | $(fmt 0 "$(med vigil_health 2)") | $(med vigil_health 3) ms | $VP99 ms |
| \`/health\` (static file) | nginx | $HEALTH_BYTES | $(fmt 0 "$(med nginx_health 2)") | $(med nginx_health 3) ms | $(med nginx_health 4) ms |
| \`/plugins/health\` | vigil-apiserver | $PB_BYTES | $(fmt 0 "$(med vigil_plugins_health 2)") | $(med vigil_plugins_health 3) ms | $(med vigil_plugins_health 4) ms |
| \`/metrics\` | vigil-apiserver | $MET_BYTES | $(fmt 0 "$(med vigil_metrics 2)") | $(med vigil_metrics 3) ms | $(med vigil_metrics 4) ms |
| \`/health\`, \`scheduling = "inherit"\` | vigil-apiserver | $HEALTH_BYTES | $(fmt 0 "$(med vigil_inherit_health 2)") | $(med vigil_inherit_health 3) ms | $(med vigil_inherit_health 4) ms |

\`/health\` vigil-apiserver / nginx, per round: $(printf '%s× ' "${ratios[@]}")→ median **${RATIO}×**
(with \`scheduling = "inherit"\`: $(printf '%s× ' "${iratios[@]}")→ median ${IRATIO}×).
Non-2xx answers or socket errors over all runs: $errors.

EOF
for want in 0.9 1.0; do
	ok=0
	le "$want" "$RATIO" && ok=1
	issue=$([ "$want" = 0.9 ] && echo "issue 4" || echo "issue 8")
	target "API /health req/s vs nginx ($issue)" "≥ ${want}×" "${RATIO}×" "$ok" \
	    "$([ $ok = 1 ] || echo "short by $(awk -v r="$RATIO" -v w="$want" 'BEGIN { printf "%.0f", (w - r) * 100 / w }')%")"
	echo "Target /health ≥ ${want}× nginx ($issue): **$([ $ok = 1 ] && echo met || echo missed)** (${RATIO}×).  "
done
ok=0
le "$VP99" 4.999 && ok=1
target "API /health p99 latency" "< 5 ms" "$VP99 ms" "$ok"
echo "Target /health p99 < 5 ms: **$([ $ok = 1 ] && echo met || echo missed)** ($VP99 ms)."
cat <<EOF

Memory of \`vigil-apiserver\` (64 worker threads): RSS $(mb "$API_RSS_IDLE") MB
idle before the load, at most $(mb "$API_RSS_MAX") MB sampled every 0.5 s
during the runs, peak (VmHWM) $(mb "$API_HWM") MB, $(mb "$API_RSS_AFTER") MB
after them, of which $(mb "$API_ANON") MB anonymous.

EOF
ok=0
le "$API_HWM" 10240 && ok=1
target "apiserver RSS under load" "≤ 10 MB" "$(mb "$API_HWM") MB (peak)" "$ok"
echo "Target apiserver ≤ 10 MB: **$([ $ok = 1 ] && echo met || echo missed)** (peak $(mb "$API_HWM") MB)."
cat <<EOF

Commands (what the script does; ports and paths are per run):

EOF
cmd_block \
    "for i in \$(seq -w 1 16); do args+=(\"plugin plugin\$i state=healthy response_ms=3 last_check=now last_healthy=now\"); done" \
    "build/tests/tools/shmwriter /vigil-bench \"\${args[@]}\" &" \
    "build/bin/vigil-apiserver --config api.toml &    # listen 127.0.0.1:PORT, threads = 64" \
    "build/bin/vigil-apiserver --config api-inherit.toml &    # the same on IPORT, scheduling = \"inherit\"" \
    "curl -s http://127.0.0.1:PORT/health > www/health.json" \
    "nginx -p nginx -e nginx/error.log -c nginx.conf &  # 2 workers, serves www/health.json at /health" \
    "wrk $WRK_ARGS http://127.0.0.1:PORT/health" \
    "wrk $WRK_ARGS http://127.0.0.1:NGINX_PORT/health" \
    "wrk $WRK_ARGS http://127.0.0.1:PORT/plugins/health" \
    "wrk $WRK_ARGS http://127.0.0.1:PORT/metrics" \
    "wrk $WRK_ARGS http://127.0.0.1:IPORT/health" \
    "# or all of it: VIGIL_BUILD=\$PWD/build scripts/bench/api.sh"
