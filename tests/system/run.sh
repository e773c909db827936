#!/bin/bash
# Run the numbered system tests; print PASS/FAIL each, keep logs of failures.
#
# Usage: VIGIL_BUILD=/abs/build tests/system/run.sh [PREFIX...]
# VIGIL_TEST_JOBS tests run at once (default 3): every test has its own
# segment, socket, port and directory, and most of their time is waiting.
# Tests marked "# vigil-test: alone" run afterwards, one at a time; see
# runner.bash for that, time limits (VIGIL_TEST_TIMEOUT, default 240 s),
# logs and exit status 77 (skip).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${VIGIL_BUILD:?set VIGIL_BUILD to the build directory}"
export VIGIL_BUILD VIGIL_SRC="${VIGIL_SRC:-$(cd "$here/../.." && pwd)}"

if [ $# -gt 0 ]; then
	tests=()
	for p in "$@"; do tests+=("$here"/$p*.sh); done
else
	tests=("$here"/[0-9][0-9][0-9]-*.sh)
fi

RUN_NAME=systest
. "$here/runner.bash"
run_all "${VIGIL_TEST_JOBS:-3}" "${VIGIL_TEST_TIMEOUT:-240}" "${tests[@]}"
echo "system: $RUN_PASS passed, $RUN_FAIL failed, $RUN_SKIP skipped"
[ "$RUN_FAIL" -eq 0 ] && [ "$RUN_PASS" -gt 0 ]
