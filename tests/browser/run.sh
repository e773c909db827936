#!/bin/bash
# Run the dashboard test (dashboard.js) in headless Chromium.
#
# Usage: VIGIL_BUILD=/abs/build tests/browser/run.sh
# Installs what is missing first: Chromium and Node.js through
# scripts/deps.sh (scripts/deps.d/browser.list), npm only when there is no
# npm command (NodeSource's nodejs ships its own and conflicts with
# Debian's npm package), and playwright-core with `npm ci` from the
# committed lock file only when node_modules is missing.
# Ends with "browser: N passed, N failed"; exit status 0 when all passed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export VIGIL_BUILD="${VIGIL_BUILD:-$repo/build}"

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
	"$repo/scripts/deps.sh"
fi
if ! command -v npm >/dev/null; then
	VIGIL_EXTRA_PACKAGES=npm "$repo/scripts/deps.sh"
fi
if [ ! -d "$here/node_modules" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/dashboard.js"
