# Helpers for the apiserver system tests (200-2xx); source after common.sh.
# Not a test itself (no .sh suffix, so run.sh never runs it).
#
# The tests drive the apiserver with tests/tools/shmwriter (a scripted
# state segment) and tests/tools/fakectl (a canned control socket), so
# every status rule can be reached without a real supervisor.

API_BIN=$BIN/vigil-apiserver
TOOLS=$VIGIL_BUILD/tests/tools
URL="http://127.0.0.1:$PORT"

# write_config [EXTRA_API_LINES]: a config with short timeouts.
write_config() {
	cat >"$T/vigil.toml" <<-EOF
	[supervisor]
	shm_name = "$SHM"
	control_socket = "$SOCK"
	[api]
	listen = "127.0.0.1:$PORT"
	heartbeat_timeout = "1s"
	request_timeout = "2s"
	threads = 4
	${1:-}
	EOF
}

# start_api [ARGS...]: run the apiserver and wait until it answers.
start_api() {
	[ -f "$T/vigil.toml" ] || write_config
	run_bg api "$API_BIN" --config "$T/vigil.toml" "$@"
	API_PID=$LAST_PID
	wait_for 10 "apiserver on $URL" curl -s -o /dev/null "$URL/nothing"
}

# start_writer [COMMAND...]: shmwriter fed by the fifo on fd 7; send()
# writes more commands.
start_writer() {
	[ -p "$T/sw.fifo" ] || mkfifo "$T/sw.fifo"
	exec 7<>"$T/sw.fifo"
	run_bg shmwriter bash -c 'exec "$@" <"$0"' "$T/sw.fifo" \
	    "$TOOLS/shmwriter" "$SHM" "$@"
	WRITER_PID=$LAST_PID
	wait_for 5 "shmwriter ready" grep -q '^ready' "$T/shmwriter.log"
}

send() {
	echo "$*" >&7
}

# stop_pid PID: stop one process this test started, and reap it.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# code PATH [CURL_ARGS...]: the HTTP status of one request.
code() {
	local path=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' --path-as-is "$@" "$URL$path"
}

# body: the body of the last code() request.
body() {
	cat "$T/body"
}

# expect_code WANT PATH [CURL_ARGS...]
expect_code() {
	local want=$1 got
	shift
	got=$(code "$@")
	[ "$got" = "$want" ] || fail "$* -> $got, want $want: $(body)"
}

code_is() {
	[ "$(code "$2")" = "$1" ]
}

# wait_code WANT PATH: poll until PATH answers WANT (state changes).
wait_code() {
	wait_for 5 "$2 -> $1" code_is "$1" "$2"
}

# jbody FILTER: jq on the last body.
jbody() {
	jq -r "$1" "$T/body"
}

api_alive() {
	kill -0 "$API_PID" 2>/dev/null || fail "apiserver died"
	[ "$(code /health/liveness)" != 000 ] || fail "apiserver not answering"
}
