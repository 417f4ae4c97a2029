# Shared by the test, demo and bench scripts: install what is missing, skip what is there.
# shellcheck shell=bash

rhe_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

rhe_need_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "Node.js 20 or later is needed (found: $(node --version 2>/dev/null || echo none))." >&2
    exit 1
  fi
}

# Debian packages: command -> package.
rhe_apt_deps() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ -e /usr/include/krb5.h ] || [ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
  command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing programs. Install them first (as root):" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# npm ci only when package-lock.json changed since the last install.
rhe_npm_deps() {
  local stamp=node_modules/.rhe-lock-sha
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

# Redis 8 and Valkey 8 from Debian's packages, cached (scripts/ensure-servers.sh); exports the paths
# that test/support/redisServer.ts reads for RHE_SERVER=redis8 and RHE_SERVER=valkey8.
rhe_servers() {
  local out
  out=$(bash scripts/ensure-servers.sh) || {
    echo "scripts/ensure-servers.sh failed: Redis 8 and Valkey 8 are needed for the tests (see its output above)." >&2
    exit 1
  }
  RHE_REDIS8_BIN=$(sed -n 's/^redis8=//p' <<<"$out")
  RHE_VALKEY8_BIN=$(sed -n 's/^valkey8=//p' <<<"$out")
  if [ ! -x "$RHE_REDIS8_BIN" ] || [ ! -x "$RHE_VALKEY8_BIN" ]; then
    echo "scripts/ensure-servers.sh printed no usable redis8=/valkey8= paths: $out" >&2
    exit 1
  fi
  export RHE_REDIS8_BIN RHE_VALKEY8_BIN
}
