#!/usr/bin/env bash
# `npm run demo`: a throwaway redis-server with sample data, and VS Code with the extension and a
# connection named "demo" to it. Desktop VS Code (`code`) when it is on the PATH, else code-server on
# 127.0.0.1 (its URL is printed). Ctrl-C stops everything this script started and removes its files.
#
# On a fresh machine it installs what it needs the way `npm test` does (Debian packages when run as
# root, npm ci when node_modules is missing or stale, code-server from npm into a cache), then builds.
#
# `npm run demo -- --cluster`: a small Redis Cluster instead (three masters, no replicas, on free loopback
# ports) with sample keys spread over its masters, and a cluster connection "demo-cluster" to it.
#
# Environment:
#   RHE_DEMO_PORT   code-server's port (default: a free one)
#   RHE_DEMO_NO_CODE=1  use code-server even when `code` is on the PATH
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLUSTER=0
for arg in "$@"; do
  case "$arg" in
    --cluster) CLUSTER=1 ;;
    *) echo "usage: npm run demo [-- --cluster]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

rhe_need_node
rhe_apt_deps
rhe_npm_deps
echo "==> build"
npm run --silent build

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rhe-demo-XXXXXX")
REDIS_PID=""
CLUSTER_PIDS=()
CODE_SERVER_PID=""
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  if [ -n "$CODE_SERVER_PID" ]; then kill -TERM -- "-$CODE_SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null || true; fi
  for pid in "${CLUSTER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  if [ -n "$CODE_SERVER_PID" ]; then kill -KILL -- "-$CODE_SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill -KILL "$REDIS_PID" 2>/dev/null || true; fi
  for pid in "${CLUSTER_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

if [ "$CLUSTER" = 1 ]; then
  echo "==> Redis Cluster (3 masters)"
  SEEDS=()
  NODES_JSON=""
  for _ in 1 2 3; do
    P=$(free_port)
    mkdir -p "$TMP/node-$P"
    redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP/node-$P" --daemonize no \
      --cluster-enabled yes --cluster-config-file "nodes-$P.conf" --cluster-node-timeout 5000 \
      >"$TMP/node-$P/redis.log" 2>&1 &
    CLUSTER_PIDS+=("$!")
    SEEDS+=("127.0.0.1:$P")
    NODES_JSON="$NODES_JSON${NODES_JSON:+, }{ \"host\": \"127.0.0.1\", \"port\": $P }"
  done
  for s in "${SEEDS[@]}"; do
    for _ in $(seq 1 100); do redis-cli -h 127.0.0.1 -p "${s#*:}" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create "${SEEDS[@]}" --cluster-replicas 0 --cluster-yes >"$TMP/cluster-create.log"
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "${SEEDS[0]#*:}" cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
  node scripts/seed-demo-cluster.mjs "${SEEDS[0]#*:}"
  REDIS_PID=${CLUSTER_PIDS[0]}
  CONNECTION="{ \"name\": \"demo-cluster\", \"kind\": \"cluster\", \"nodes\": [$NODES_JSON] }"
  WHERE="a Redis Cluster (${SEEDS[*]})"
  NAME="demo-cluster"
else
  echo "==> redis-server"
  REDIS_PORT=$(free_port)
  mkdir -p "$TMP/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP/redis" --daemonize no \
    >"$TMP/redis/redis.log" 2>&1 &
  REDIS_PID=$!
  node scripts/seed-demo.mjs "$REDIS_PORT"
  CONNECTION="{ \"name\": \"demo\", \"host\": \"127.0.0.1\", \"port\": $REDIS_PORT }"
  WHERE="redis on 127.0.0.1:$REDIS_PORT"
  NAME="demo"
fi

# The connection lives in the demo workspace's settings: your own settings are not touched.
WORKSPACE="$TMP/workspace"
mkdir -p "$WORKSPACE/.vscode"
cat >"$WORKSPACE/.vscode/settings.json" <<EOF
{
  "redisHashExplorer.connections": [
    $CONNECTION
  ]
}
EOF
cat >"$WORKSPACE/README.md" <<EOF
# Redis Hash Explorer demo

Open the Redis view in the activity bar (the stacked-slabs icon) and expand **$NAME**.
It is $WHERE, running until you press Ctrl-C in the terminal that ran \`npm run demo\`.
EOF

if command -v code >/dev/null 2>&1 && [ "${RHE_DEMO_NO_CODE:-}" != 1 ]; then
  echo "==> VS Code"
  code --new-window --extensionDevelopmentPath="$ROOT" "$WORKSPACE" "$WORKSPACE/README.md"
  echo
  echo "VS Code opened with the extension and a connection \"$NAME\" to $WHERE."
else
  echo "==> code-server"
  ENTRY=$(bash scripts/ensure-code-server.sh)
  mkdir -p "$TMP/user-data/User" "$TMP/extensions" "$TMP/home"
  cat >"$TMP/user-data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false
}
EOF
  # The built extension, packaged and installed into this throwaway profile (works offline).
  npx --no-install vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --out "$TMP/redis-hash-explorer.vsix" >/dev/null
  export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" XDG_DATA_HOME="$TMP/home/.local/share" XDG_CACHE_HOME="$TMP/home/.cache"
  node "$ENTRY" --user-data-dir "$TMP/user-data" --extensions-dir "$TMP/extensions" \
    --install-extension "$TMP/redis-hash-explorer.vsix" >/dev/null
  PORT=${RHE_DEMO_PORT:-$(free_port)}
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" >"$TMP/config.yaml"
  # Its own process group, so Ctrl-C also stops its extension host.
  setsid node "$ENTRY" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --ignore-last-opened --user-data-dir "$TMP/user-data" \
    --extensions-dir "$TMP/extensions" --config "$TMP/config.yaml" >"$TMP/code-server.log" 2>&1 &
  CODE_SERVER_PID=$!
  for _ in $(seq 1 300); do
    grep -q 'HTTP server listening' "$TMP/code-server.log" 2>/dev/null && break
    kill -0 "$CODE_SERVER_PID" 2>/dev/null || { cat "$TMP/code-server.log"; echo "code-server did not start" >&2; exit 1; }
    sleep 0.2
  done
  echo
  echo "Open http://127.0.0.1:$PORT/?folder=$WORKSPACE"
  echo "(VS Code in the browser, with the extension and a connection \"$NAME\" to $WHERE)"
fi
echo "Press Ctrl-C to stop."
wait "$REDIS_PID"
