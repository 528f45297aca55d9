#!/usr/bin/env bash
# Install what Noaber needs on Debian 12: `deps.sh run` for building and running, `deps.sh test`
# adds the test tools, `deps.sh bench` adds wrk to those (make bench-http), `deps.sh lint` adds
# the C checkers (cppcheck, clang-format) to the build tools (make lint). As root it installs
# with apt-get; otherwise it prints the exact command, to run as root, and stops. Debian's nodejs
# and npm are here only to fetch the project's pinned Node.js (scripts/node.sh), which every tool
# runs on.
set -euo pipefail
mode=${1:-run}

# The package names below are Debian 12's (postgresql-15, libjwt-dev 1.10, ...).
# shellcheck source=/dev/null
os=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}|${PRETTY_NAME:-an unknown system}")
if [ "${os%%|*}" != bookworm ]; then
  echo "deps.sh: this is ${os#*|}, not Debian 12 (bookworm): the package names and versions" \
       "below are Debian 12's and may not fit" >&2
fi

packages=(build-essential pkg-config libulfius-dev libjansson-dev libjwt-dev liborcania-dev libyder-dev
          libsodium-dev libpq-dev libmicrohttpd-dev postgresql-15 postgresql-client-15 nodejs npm openssl)
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  packages+=(check libcurl4-gnutls-dev chromium)
fi
if [ "$mode" = bench ]; then
  packages+=(wrk)
fi
if [ "$mode" = lint ]; then
  packages+=(cppcheck clang-format)
fi

missing=()
for p in "${packages[@]}"; do
  # npm may come from elsewhere (nodesource, nvm): it only fetches the pinned Node.js.
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages. As root, install them with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# What the scripts then rely on, by path and version (the packages above promise them).
[ -x /usr/lib/postgresql/15/bin/initdb ] || {
  echo "deps.sh: PostgreSQL 15's server programs are missing from /usr/lib/postgresql/15/bin (package postgresql-15)" >&2
  exit 1
}
