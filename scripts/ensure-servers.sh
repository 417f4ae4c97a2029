#!/usr/bin/env bash
# Installs the other server versions the tests run against into a cache folder, from Debian's own
# packages, without touching the system's apt setup (a private sources list, lists and archive cache):
#   - Valkey 8.0.1 (bookworm-backports): runs as it is on Debian 12.
#   - Redis 8.0.2 (trixie's redis-tools): needs glibc 2.38, so it runs through trixie's own loader and
#     libraries, extracted beside it; the wrapper `bin/redis-server` hides that.
#   - OpenSSH 9.2 (bookworm's openssh-server, openssh-client, libwrap0): the sshd the SSH tunnel tests run
#     unprivileged on a loopback port, and the ssh-keygen/ssh-agent/ssh-add of the same version.
#
#   bash scripts/ensure-servers.sh          # prints "NAME=PATH" lines: redis8=..., valkey8=..., sshd=..., sshbin=...
#
# Idempotent: each finished install carries a marker file, and a second run only prints the paths.
# Environment: RHE_CACHE_DIR (default: $HOME/.cache/redis-hash-explorer).
set -euo pipefail

CACHE_DIR="${RHE_CACHE_DIR:-$HOME/.cache/redis-hash-explorer}"
MIRROR="${RHE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MARKER=.install-complete

WORK=""
trap '[ -z "$WORK" ] || rm -rf "$WORK"' EXIT

log() { printf 'ensure-servers: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# apt-get with its own sources, lists and cache under $1 (one suite per folder).
private_apt() {
  local dir=$1
  shift
  apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null \
    -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o Dir::State::status=/dev/null \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o APT::Architecture=amd64 "$@"
}

# fetch DEST SUITE PKG...: downloads the packages of SUITE and extracts them all into DEST/root.
fetch() {
  local dest=$1 suite=$2
  shift 2
  local work
  work=$(mktemp -d "$CACHE_DIR/.fetch-XXXXXX")
  WORK=$work # removed on exit, also when a step fails
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
  local signed=""
  [ -r "$KEYRING" ] && signed=" [signed-by=$KEYRING]"
  echo "deb$signed $MIRROR $suite main" > "$work/sources.list"
  private_apt "$work" update >/dev/null || die "apt-get update of $suite failed"
  (cd "$work/debs" && private_apt "$work" download "$@" >/dev/null) || die "download of $* from $suite failed"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$work/root" "$dest"
  rm -rf "$work"
  WORK=""
}

command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || {
  [ -x "$CACHE_DIR/servers/redis-8.0/bin/redis-server" ] && [ -x "$CACHE_DIR/servers/valkey-8.0/bin/valkey-server" ] &&
    [ -x "$CACHE_DIR/servers/openssh-9.2/bin/sshd" ] ||
    die "apt-get and dpkg-deb are needed to fetch Redis 8, Valkey and OpenSSH (Debian or Ubuntu)"
}
mkdir -p "$CACHE_DIR/servers"
# Test runs started together (parallel layers, two checkouts) install once and wait for each other.
exec 9>"$CACHE_DIR/servers/.lock"
flock 9

# --- Valkey 8.0 ------------------------------------------------------------------------------------
VALKEY="$CACHE_DIR/servers/valkey-8.0"
if [ ! -f "$VALKEY/$MARKER" ]; then
  log "fetching Valkey 8.0 (bookworm-backports)"
  fetch "$VALKEY/root" bookworm-backports valkey-server valkey-tools
  mkdir -p "$VALKEY/bin"
  # The package's valkey-server is a link to the multi-call valkey-check-rdb binary.
  real=$(find "$VALKEY/root/usr/bin" -name 'valkey-server' | head -n 1)
  [ -n "$real" ] || die "valkey-server not found in the package"
  ln -sf "$real" "$VALKEY/bin/valkey-server"
  "$VALKEY/bin/valkey-server" --version >/dev/null || die "valkey-server does not run"
  touch "$VALKEY/$MARKER"
fi

# --- Redis 8.0 -------------------------------------------------------------------------------------
REDIS8="$CACHE_DIR/servers/redis-8.0"
if [ ! -f "$REDIS8/$MARKER" ]; then
  log "fetching Redis 8.0 (trixie) with its loader and libraries"
  fetch "$REDIS8/root" trixie redis-tools libc6 libstdc++6 libgcc-s1 libjemalloc2 liblzf1 libssl3t64 libsystemd0 \
    libatomic1 libcap2 libzstd1 liblz4-1 liblzma5 libgcrypt20 libgpg-error0
  mkdir -p "$REDIS8/bin"
  lib="$REDIS8/root/usr/lib/x86_64-linux-gnu"
  # redis-tools ships the server as redis-check-rdb (one binary that acts by its name).
  ln -sf "$REDIS8/root/usr/bin/redis-check-rdb" "$REDIS8/root/usr/bin/redis-server"
  cat > "$REDIS8/bin/redis-server" <<EOF
#!/bin/sh
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" "$REDIS8/root/usr/bin/redis-server" "\$@"
EOF
  chmod +x "$REDIS8/bin/redis-server"
  "$REDIS8/bin/redis-server" --version | grep -q 'v=8\.' || die "redis-server 8 does not run"
  touch "$REDIS8/$MARKER"
fi

# --- OpenSSH 9.2 -----------------------------------------------------------------------------------
OPENSSH="$CACHE_DIR/servers/openssh-9.2"
if [ ! -f "$OPENSSH/$MARKER" ]; then
  log "fetching OpenSSH 9.2 (bookworm)"
  fetch "$OPENSSH/root" bookworm openssh-server openssh-client libwrap0
  mkdir -p "$OPENSSH/bin"
  # sshd re-executes itself by its absolute path and needs libwrap from beside it (the child inherits the path).
  cat > "$OPENSSH/bin/sshd" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$OPENSSH/root/usr/lib/x86_64-linux-gnu" exec "$OPENSSH/root/usr/sbin/sshd" "\$@"
EOF
  chmod +x "$OPENSSH/bin/sshd"
  for tool in ssh-keygen ssh-agent ssh-add ssh; do ln -sf "$OPENSSH/root/usr/bin/$tool" "$OPENSSH/bin/$tool"; done
  "$OPENSSH/bin/sshd" -V 2>&1 | grep -q '^OpenSSH_9\.' || die "sshd does not run"
  "$OPENSSH/bin/ssh-keygen" -q -t ed25519 -N '' -f "$OPENSSH/.probe" && rm -f "$OPENSSH/.probe" "$OPENSSH/.probe.pub" ||
    die "ssh-keygen does not run"
  touch "$OPENSSH/$MARKER"
fi

echo "redis8=$REDIS8/bin/redis-server"
echo "valkey8=$VALKEY/bin/valkey-server"
echo "sshd=$OPENSSH/bin/sshd"
echo "sshbin=$OPENSSH/bin"
