#!/bin/bash
# Every class of configuration error: both daemons print one line naming
# file and line, and exit with status 1.
. "$(dirname "$0")/common.sh"

n=0
for f in "$VIGIL_SRC"/tests/fixtures/config/bad/*.toml; do
	for daemon in vigil-supervisor vigil-apiserver; do
		# The apiserver has no --check-config: it must refuse to start.
		opt=--check-config
		[ "$daemon" = vigil-apiserver ] && opt=
		set +e
		err=$(timeout 5 "$BIN/$daemon" --config "$f" $opt 2>&1 >/dev/null)
		rc=$?
		set -e
		assert_eq "$rc" "1" "$daemon exit status for $(basename "$f")"
		lines=$(printf '%s\n' "$err" | grep -c .)
		assert_eq "$lines" "1" "$daemon lines of output for $(basename "$f")"
		case "$err" in
		*"$f:"[0-9]*) ;;
		*"$f: "*) ;;	# unreadable file: FILE: strerror
		*) fail "$daemon: no file:line in: $err" ;;
		esac
	done
	n=$((n + 1))
done
[ $n -ge 10 ] || fail "only $n bad fixtures found"
echo "$n bad configurations rejected by both daemons"

# Missing file.
set +e
err=$("$BIN/vigil-supervisor" --config "$T/none.toml" 2>&1); rc=$?
set -e
assert_eq "$rc" "1" "missing config"
case "$err" in *"$T/none.toml: No such file"*) ;; *) fail "missing: $err" ;; esac
echo ok
