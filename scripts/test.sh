#!/usr/bin/env bash
# Every test, from a fresh clone: installs what is missing, builds, lints, type-checks, then runs
# the core tests (plain Node + a real server) on Redis 7.0, Valkey 8.0 and Redis 8.0, on a local Redis Cluster
# and a Sentinel setup, the package check,
# the extension-host tests on Redis 7.0 and Redis 8.0, and the UI tests (Redis 7.0).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

rhe_need_node
rhe_apt_deps
rhe_npm_deps
echo "==> code-server"
bash scripts/ensure-code-server.sh >/dev/null
echo "==> Redis 8 and Valkey 8"
rhe_servers

echo "==> build, type-check, lint"
rm -rf out
npm run --silent build
npx tsc -p tsconfig.json
npx tsc -p src/webview/tsconfig.json
npx eslint --max-warnings 0 .

mkdir -p .test-output
results=$(mktemp)
bg_pids=()
bg_names=()
# A run stopped early also stops the layers still running in the background.
trap 'rm -f "$results"; [ ${#bg_pids[@]} -eq 0 ] || kill "${bg_pids[@]}" 2>/dev/null' EXIT
status=0

# Adds a layer's closing "N passed, N failed" line (from its log) to the total.
count() {
  local name=$1 log=$2
  local last
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [ -z "$last" ]; then
    echo "!! $name tests reported no result (the runner died or ran nothing)"
    status=1
    last="0 passed, 1 failed"
  fi
  echo "$name $last" >> "$results"
}

# Runs one layer, its output shown as it comes and kept in .test-output/NAME.out.
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
  count "$name" "$log"
}

# The same in the background (its output only in its log); layers_wait shows and counts them in order.
# Each core layer starts its own server on a free port, so two can run at once.
layer_bg() {
  local name=$1
  shift
  "$@" >".test-output/$name.out" 2>&1 &
  bg_pids+=("$!")
  bg_names+=("$name")
}
layers_wait() {
  local i name ok
  for i in "${!bg_pids[@]}"; do
    name=${bg_names[$i]}
    ok=1
    wait "${bg_pids[$i]}" || ok=0
    echo
    echo "==> $name tests"
    cat ".test-output/$name.out"
    if [ "$ok" -eq 0 ]; then
      status=1
      echo "!! $name tests failed"
    fi
    count "$name" ".test-output/$name.out"
  done
  bg_pids=()
  bg_names=()
}

# Core on every server, two at a time (2 cores).
core() { env RHE_SERVER="$1" npx mocha --config test/core/.mocharc.json; }
layer_bg core-redis7 core redis7
layer_bg core-valkey8 core valkey8
layers_wait
layer_bg core-redis8 core redis8
# Redis Cluster (3 masters + 3 replicas) and Sentinel (master + replica + 3 sentinels), started once for the layer.
layer_bg core-cluster npx mocha --config test/core-cluster/.mocharc.json
layers_wait
echo
echo "==> package"
npx vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out dist/redis-hash-explorer.vsix >/dev/null
layer package npx mocha --config test/package/.mocharc.json
# The extension host on the oldest and the newest Redis, one after the other (each runs a workbench).
layer host-redis7 env RHE_SERVER=redis7 RHE_OUTPUT_SUFFIX=-redis7 node test/host/run.mjs
layer host-redis8 env RHE_SERVER=redis8 RHE_OUTPUT_SUFFIX=-redis8 node test/host/run.mjs
layer ui env RHE_SERVER=redis7 node test/ui/run.mjs

passed=0
failed=0
echo
while read -r name p _ f _; do
  printf '  %-13s %5d passed, %d failed\n' "$name" "$p" "$f"
  passed=$((passed + p))
  failed=$((failed + f))
done < "$results"
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
