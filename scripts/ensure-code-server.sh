#!/usr/bin/env bash
# Installs code-server (a real VS Code server + web workbench with a Node extension host) from the npm
# registry into a cache folder outside the repository, without any download other than npm packages.
#
#   bash scripts/ensure-code-server.sh        # prints the path of code-server's entry script on stdout
#
# Idempotent: a finished install carries a marker file, and a second run returns at once.
# The install is built in a temporary folder next to its destination and renamed into place when
# complete, so an interrupted run never leaves a half install that looks finished.
#
# Environment:
#   RHE_CACHE_DIR   cache folder (default: $HOME/.cache/redis-hash-explorer)
#
# Why not `npm install code-server` with its install scripts: its postinstall refuses root, its
# lib/vscode lockfile pins one package to a GitHub URL, and @vscode/ripgrep downloads rg from GitHub.
# So: install with --ignore-scripts, point the lockfile at registry tarballs, use Debian's rg, build
# the native modules from source, and do the remaining postinstall steps here.
set -euo pipefail

CODE_SERVER_VERSION=4.96.4
CACHE_DIR="${RHE_CACHE_DIR:-$HOME/.cache/redis-hash-explorer}"
DEST="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
PKG_REL="node_modules/code-server"
ENTRY_REL="$PKG_REL/out/node/entry.js"
MARKER_NAME=".install-complete"

log() { printf 'ensure-code-server: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- Debian packages ------------------------------------------------------------------------------
# chromium: the headless browser that loads the workbench; ripgrep: the rg VS Code's search uses;
# libkrb5-dev: headers for the kerberos native module. A C++ toolchain builds the native modules.
ensure_debian_packages() {
  local building="$1" missing=() pkg
  local pkgs=(chromium ripgrep)
  if [ "$building" = 1 ]; then
    pkgs+=(libkrb5-dev)
    command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || pkgs+=(build-essential)
    command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
  fi
  if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${pkgs[@]}"; do
      case "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)" in
        ii*) ;;
        *) missing+=("$pkg") ;;
      esac
    done
  else
    # Not Debian: check for the commands only and hope the headers are there.
    command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
    command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  fi
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y "${missing[@]}" >&2
}

# --- Fast path: already installed ----------------------------------------------------------------
if [ -f "$DEST/$MARKER_NAME" ] && [ -f "$DEST/$ENTRY_REL" ]; then
  ensure_debian_packages 0
  printf '%s\n' "$DEST/$ENTRY_REL"
  exit 0
fi

command -v node >/dev/null 2>&1 || die "node is not installed"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20 (found $(node -v))"

ensure_debian_packages 1

mkdir -p "$CACHE_DIR"
# One installer at a time (test suites may start in parallel); the others wait, then take the fast path.
exec 9>"$CACHE_DIR/.code-server-$CODE_SERVER_VERSION.lock"
if ! flock -n 9; then
  log "another install is running; waiting for it"
  flock 9
fi
if [ -f "$DEST/$MARKER_NAME" ] && [ -f "$DEST/$ENTRY_REL" ]; then
  printf '%s\n' "$DEST/$ENTRY_REL"
  exit 0
fi

# Leftovers of interrupted runs (we hold the lock, so none of them is in use).
rm -rf "$CACHE_DIR/.code-server-$CODE_SERVER_VERSION.tmp."*
# A destination without its marker is not a finished install.
if [ -e "$DEST" ]; then rm -rf "$DEST"; fi

TMP="$(mktemp -d "$CACHE_DIR/.code-server-$CODE_SERVER_VERSION.tmp.XXXXXX")"
chmod 755 "$TMP"
# npm and compiler output goes to a log, shown only when a step fails.
LOG="$CACHE_DIR/code-server-$CODE_SERVER_VERSION.install.log"
: >"$LOG"
cleanup() {
  local rc=$?
  if [ -n "${TMP:-}" ]; then rm -rf "$TMP"; fi
  if [ "$rc" != 0 ]; then
    log "install failed (exit $rc); last lines of $LOG:"
    tail -n 40 "$LOG" >&2 || true
  fi
}
trap cleanup EXIT
# run DIR CMD...: runs CMD in DIR with its output appended to the log.
run() {
  local dir="$1"; shift
  printf '\n$ (cd %s && %s)\n' "$dir" "$*" >>"$LOG"
  (cd "$dir" && "$@") >>"$LOG" 2>&1
}
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
log "installing code-server@$CODE_SERVER_VERSION into $DEST (takes about a minute)"

# Native modules: compile against the local Node headers when present, so node-gyp downloads nothing.
if [ -z "${npm_config_nodedir:-}" ]; then
  node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
fi
export npm_config_build_from_source=true # no prebuilt-binary downloads (they come from GitHub)
export npm_config_yes=true               # node-pty may run `npx node-gyp`
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export JOBS=max                          # node-gyp: parallel make
NPM_QUIET=(--no-audit --no-fund --loglevel=error)

# 1. The package and its own dependencies, scripts off.
printf '{ "name": "code-server-cache", "private": true }\n' >"$TMP/package.json"
run "$TMP" npm install "code-server@$CODE_SERVER_VERSION" --ignore-scripts --omit=dev --no-package-lock "${NPM_QUIET[@]}"
PKG="$TMP/$PKG_REL"
[ -f "$PKG/postinstall.sh" ] || die "unexpected code-server layout: no postinstall.sh in $PKG"

# 2. Point every non-registry `resolved` of the lockfiles at the registry tarball of the same version.
#    The integrity field stays, so npm still verifies the tarball is the one the lockfile pinned.
rewrite_resolved() {
  node - "$1" <<'EOF'
const fs = require('fs');
const { execFileSync } = require('child_process');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/\/?$/, '/');
const isRegistry = (url) => url.startsWith(registry) || url.startsWith('https://registry.npmjs.org/');
let changed = 0;
for (const [key, entry] of Object.entries(lock.packages ?? {})) {
  if (!key || !entry.resolved || isRegistry(entry.resolved) || entry.link) continue;
  const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const spec = `${name}@${entry.version}`;
  const out = execFileSync('npm', ['view', spec, 'dist', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const dist = JSON.parse(out);
  if (!dist || !dist.tarball) throw new Error(`${file}: no registry tarball for ${spec} (was ${entry.resolved})`);
  if (entry.integrity && dist.integrity && entry.integrity !== dist.integrity) {
    throw new Error(`${file}: ${spec} on the registry differs from the pinned ${entry.resolved} (integrity mismatch)`);
  }
  process.stderr.write(`ensure-code-server: ${spec}: ${entry.resolved} -> ${dist.tarball}\n`);
  entry.resolved = dist.tarball;
  changed++;
}
if (changed) fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
EOF
}
rewrite_resolved "$PKG/lib/vscode/npm-shrinkwrap.json" 2>>"$LOG"
if [ -f "$PKG/lib/vscode/extensions/npm-shrinkwrap.json" ]; then
  rewrite_resolved "$PKG/lib/vscode/extensions/npm-shrinkwrap.json" 2>>"$LOG"
fi

# 3. VS Code's server dependencies, scripts off.
log "installing lib/vscode dependencies"
run "$PKG/lib/vscode" npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}"

# 4. Debian's ripgrep in place of the one @vscode/ripgrep would download.
RG="$(command -v rg || true)"
[ -n "$RG" ] || die "rg not found (install the Debian package ripgrep)"
mkdir -p "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin"
ln -sfn "$RG" "$PKG/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

# 5. Native modules, built from source for this Node.
log "building native modules"
run "$PKG/lib/vscode" npm rebuild @parcel/watcher @vscode/spdlog node-pty kerberos native-watchdog @vscode/deviceid "${NPM_QUIET[@]}"
run "$TMP" npm rebuild argon2 "${NPM_QUIET[@]}"

# 6. The rest of postinstall.sh: asar link, CLI helper links, the built-in extensions' shared dependencies.
ln -sfn node_modules "$PKG/lib/vscode/node_modules.asar"
(cd "$PKG/lib/vscode/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$PKG/lib/vscode/bin/helpers" && ln -sfn browser-linux.sh browser.sh)
log "installing built-in extensions' dependencies"
run "$PKG/lib/vscode/extensions" npm install --omit=dev "${NPM_QUIET[@]}"

# 7. Check that what we built loads, then publish atomically.
for m in @parcel/watcher @vscode/spdlog node-pty kerberos native-watchdog @vscode/deviceid; do
  run "$PKG/lib/vscode" node -e "require(process.argv[1])" "$m" || die "native module $m does not load"
done
run "$TMP" node -e "require('argon2')" || die "native module argon2 does not load"
run "$TMP" node "$ENTRY_REL" --version || die "code-server does not start"

printf 'code-server %s installed %s with node %s\n' "$CODE_SERVER_VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(node -v)" >"$TMP/$MARKER_NAME"
mv -T "$TMP" "$DEST"
TMP=""
log "done in $((SECONDS - started)) s"
printf '%s\n' "$DEST/$ENTRY_REL"
