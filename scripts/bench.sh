#!/usr/bin/env bash
# The benchmark (not part of npm test), from a fresh clone: installs what is missing, builds, then runs
# bench/run.ts, which starts its own redis-server (and a Redis 8 one), seeds it, measures our code paths
# against the raw client in the same run, prints a table and writes bench/results.json.
# Exits 0 when it measured (missed targets are reported, not errors); non-zero on errors.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

started=$SECONDS
rhe_need_node
rhe_apt_deps
rhe_npm_deps
if [ -f scripts/ensure-code-server.sh ]; then
  echo "==> code-server" >&2
  CODE_SERVER_ENTRY=$(bash scripts/ensure-code-server.sh)
  export CODE_SERVER_ENTRY
fi
echo "==> Redis 8" >&2
rhe_servers >&2

echo "==> build" >&2
rm -rf out
npx tsc -p tsconfig.json
# the bundles as they ship (minified): the workbench figures time what users load
node esbuild.mjs --production

echo "==> bench" >&2
node --expose-gc out/bench/run.js "$@"
echo "bench: total $((SECONDS - started)) s (install, build, seeding and measuring)" >&2
