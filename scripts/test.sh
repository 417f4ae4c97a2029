#!/usr/bin/env bash
# Every test, from a fresh clone: installs what is missing, builds, lints, type-checks, then runs
# the core tests (plain Node + redis-server), the package check, the extension-host tests and the UI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

rhe_need_node
rhe_apt_deps
rhe_npm_deps
echo "==> code-server"
bash scripts/ensure-code-server.sh >/dev/null

echo "==> build, type-check, lint"
rm -rf out
npm run --silent build
npx tsc -p tsconfig.json
npx tsc -p src/webview/tsconfig.json
npx eslint --max-warnings 0 .

mkdir -p .test-output
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0

# Runs one layer; its runner closes with "N passed, N failed", which is added to the total.
layer() {
  local name=$1
  shift
  echo
  echo "==> $name tests"
  local log=".test-output/$name.out"
  if ! "$@" 2>&1 | tee "$log"; then
    status=1
    echo "!! $name tests failed"
  fi
  local last
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [ -z "$last" ]; then
    echo "!! $name tests reported no result (the runner died or ran nothing)"
    status=1
    last="0 passed, 1 failed"
  fi
  echo "$name $last" >> "$results"
}

layer core npx mocha --config test/core/.mocharc.json
echo
echo "==> package"
npx vsce package --no-dependencies --allow-missing-repository --out dist/redis-hash-explorer.vsix >/dev/null
layer package npx mocha --config test/package/.mocharc.json
layer host node test/host/run.mjs
layer ui node test/ui/run.mjs

passed=0
failed=0
echo
while read -r name p _ f _; do
  printf '  %-8s %5d passed, %d failed\n' "$name" "$p" "$f"
  passed=$((passed + p))
  failed=$((failed + f))
done < "$results"
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
