#!/bin/sh
# Run every unit test binary in BUILD/tests/unit; one PASS/FAIL line each.
set -u
build=${1:?usage: run.sh BUILD_DIR}
pass=0 fail=0
for t in "$build"/tests/unit/*_test; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log=$(mktemp)
	if "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS unit/$name ($(grep -c '^\[       OK \]' "$log") cases)"
	else
		fail=$((fail + 1))
		echo "FAIL unit/$name"
		cat "$log"
	fi
	rm -f "$log"
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
