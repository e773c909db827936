#!/bin/bash
# Bad manifests are skipped with a clear log line naming the file and the
# reason; the good plugins start. --check-config reports them and exits 1.
. "$(dirname "$0")/common.sh"

write_config
install_plugin good "$PLUGIN_BIN/antiabuse/antiabuse"
mkdir -p "$T/plugins/syntax" "$T/plugins/badname" "$T/plugins/noexe" \
    "$T/plugins/zdup"
printf '[plugin\nname = "syntax"\n' >"$T/plugins/syntax/plugin.toml"
printf '[plugin]\nname = "Bad Name"\nexecutable = "x"\n' \
    >"$T/plugins/badname/plugin.toml"
printf '[plugin]\nname = "noexe"\nexecutable = "missing"\n' \
    >"$T/plugins/noexe/plugin.toml"
cp "$PLUGIN_BIN/antiabuse/antiabuse" "$T/plugins/zdup/"
printf '[plugin]\nname = "good"\nexecutable = "antiabuse"\n' \
    >"$T/plugins/zdup/plugin.toml"
expected_bad=4
if is_root; then
	install_plugin writable "$PLUGIN_BIN/flaky/flaky"
	chmod 0777 "$T/plugins/writable/flaky"
	expected_bad=5
fi

set +e
out=$("$BIN/vigil-supervisor" --config "$T/vigil.toml" --check-config 2>&1)
rc=$?
set -e
echo "$out"
assert_eq "$rc" "1" "--check-config exit status"
echo "$out" | grep -q "1 plugin(s) valid, $expected_bad invalid" ||
	fail "--check-config summary wrong"

start_supervisor
wait_state good healthy 5
log=$T/supervisor.log
grep -q "msg=\"skipping plugin\" manifest=$T/plugins/syntax/plugin.toml error=.*plugin.toml:1" "$log" ||
	fail "syntax error not reported with file:line"
grep -q "manifest=$T/plugins/badname/plugin.toml error=.*plugin.name" "$log" ||
	fail "bad name not reported"
grep -q "manifest=$T/plugins/noexe/plugin.toml error=.*missing: No such file" "$log" ||
	fail "missing executable not reported"
grep -q "manifest=$T/plugins/zdup/plugin.toml error=.*already used" "$log" ||
	fail "duplicate name not reported"
if is_root; then
	grep -q "manifest=$T/plugins/writable/plugin.toml error=.*world-writable" "$log" ||
		fail "writable executable not reported"
fi
count=$("$TOOLS/vigilstate" "$SHM" | wc -l)
assert_eq "$count" "1" "plugins in the segment"

# With only good manifests --check-config succeeds.
rm -rf "$T/plugins/syntax" "$T/plugins/badname" "$T/plugins/noexe" \
    "$T/plugins/zdup" "$T/plugins/writable"
"$BIN/vigil-supervisor" --config "$T/vigil.toml" --check-config ||
	fail "--check-config failed on a good configuration"
stop_supervisor
echo ok
