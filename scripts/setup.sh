#!/usr/bin/env bash
# Walkie's one-time set-up for a fresh Debian 12 machine with Node 20 (also what CI runs).
#  - Debian packages: chromium (browser tests, the in-editor harness), ripgrep (stands in for the
#    GitHub-hosted rg that code-server's @vscode/ripgrep would download), libkrb5-dev (code-server's
#    kerberos module), build tools for node-pty, redis-server and haproxy (the relay cluster
#    tests start their own), caddy (the TLS test runs it with its internal CA), libnss3-tools (certutil:
#    the TLS tests trust their CA in an NSS database, Chromium's user trust store) and iproute2 (the
#    veth-pair test's network namespaces).
#  - Seeds @vscode/ripgrep's download cache with Debian's rg so no install step reaches GitHub.
#  - npm ci, building native modules against the local Node headers.
# Safe to run again: every step checks first.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
t0=$(date +%s)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
command -v redis-server >/dev/null || need+=(redis-server)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v caddy >/dev/null || need+=(caddy)
command -v certutil >/dev/null || need+=(libnss3-tools)
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# @vscode/ripgrep@1.15.11 (inside code-server 4.100.3) looks in this cache before it downloads.
export TMPDIR="${TMPDIR:-/tmp}"; mkdir -p "$TMPDIR"
RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
RG_TAR="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TAR" ]; then
  stage="$(mktemp -d)"
  mkdir -p "$RG_CACHE"
  cp "$(command -v rg)" "$stage/rg"
  tar czf "$RG_TAR" -C "$stage" rg
  rm -rf "$stage"
fi

# unsafe_perm: code-server refuses a root install without it; yes: node-pty's install runs npx node-gyp;
# nodedir: build native modules against /usr/include/node instead of downloading headers.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
test -x node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg
echo "setup: done in $(( $(date +%s) - t0 ))s"
