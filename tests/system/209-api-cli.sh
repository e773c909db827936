#!/bin/bash
# Command line: --help, --version, --listen, and documented exit codes.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/2xx-api-helpers.bash"

"$API_BIN" --help >"$T/help.txt" || fail "--help failed"
for w in --config --listen --log-level --version 'Exit status'; do
	grep -q -- "$w" "$T/help.txt" || fail "--help lacks $w"
done
"$API_BIN" --version | grep -Eq '^vigil-apiserver [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"

status_of() { local rc=0; "$@" >"$T/out.log" 2>&1 || rc=$?; echo "$rc"; }
assert_eq "$(status_of "$API_BIN" --bogus)" 1 "unknown option"
assert_eq "$(status_of "$API_BIN" extra-arg)" 1 "extra argument"
assert_eq "$(status_of "$API_BIN" --log-level loud)" 1 "bad log level"
assert_eq "$(status_of "$API_BIN" --config "$T/missing.toml")" 1 "missing config"
printf '[api\nlisten = 1\n' >"$T/bad.toml"
assert_eq "$(status_of "$API_BIN" --config "$T/bad.toml")" 1 "bad config"
write_config
for l in nonsense 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 '[::1]:80' 'host:80'; do
	assert_eq "$(status_of "$API_BIN" --config "$T/vigil.toml" --listen "$l")" 1 "listen $l"
done

# --listen overrides the config file's address.
other=$(free_port)
URL="http://127.0.0.1:$other"
start_api --listen "127.0.0.1:$other" --log-level debug
grep -q 'level=debug' "$T/api.log" || fail "--log-level debug ignored"

# The port is taken now: runtime failure, exit 2.
assert_eq "$(status_of "$API_BIN" --config "$T/vigil.toml" --listen "127.0.0.1:$other")" 2 "port in use"

# SIGTERM: clean exit 0.
kill -TERM "$API_PID"
rc=0; wait "$API_PID" || rc=$?
assert_eq "$rc" 0 "exit status after SIGTERM"
echo "cli ok"
