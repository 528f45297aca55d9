#!/usr/bin/env bash
# `make test-fresh`: the README's set-up on a truly fresh Debian 12, proved.
#
# Builds a Debian 12 `minbase` root filesystem with debootstrap (kept in var/fresh/ between local
# runs; CI builds it anew), gives it this machine's apt sources and settings, CA certificates and
# npm configuration, and inside it, with /proc, /sys and /dev mounted:
#   1. as root: the README's prerequisite line, exactly;
#   2. as an ordinary user, with the checkout in their home: `make run`, which must stop at once
#      and print the apt-get line to run as root; that line is then run as root;
#   3. as root, with the checkout in /root/noaber (out of reach of the user postgres):
#      `make run` until /readyz answers 200, a demo login, SIGINT, a clean exit; then `make test`
#      (which installs the test packages as root);
#   4. as the user, in their home: `make run` and `make test` the same way.
# Prints each step's time. Everything mounted is unmounted at the end, also on failure.
# Needs root (debootstrap, chroot, mount); installs debootstrap when it is missing.
#
# Env: FRESH_KEEP=1 keeps the root filesystem of this run (var/fresh/last) for a look inside;
# FRESH_REBUILD=1 bootstraps anew instead of using the cached one.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
say() { printf 'test-fresh: %s\n' "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mount)"

cache="$repo/var/fresh/bookworm-minbase.tar"
root="$repo/var/fresh/last"
mounted=()
cleanup() {
  local status=$? m p
  for ((m = ${#mounted[@]} - 1; m >= 0; m--)); do umount -R -l "${mounted[$m]}" 2>/dev/null || true; done
  # Anything the steps left running inside (a server, a cluster) goes with the root filesystem.
  if [ -d "$root" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" != "$root" ] || kill -9 "${p#/proc/}" 2>/dev/null || true
    done
    sleep 1
  fi
  if [ "${FRESH_KEEP:-0}" != 1 ] && [ -d "$root" ] && ! grep -q " $root" /proc/mounts; then rm -rf --one-file-system "$root"; fi
  if [ "$status" = 0 ]; then say "passed"; else say "failed (exit $status)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timings=()
step() { # NAME COMMAND...: run, time, remember
  local name=$1 t0 t1
  shift
  say "== $name"
  t0=$(date +%s)
  "$@" || die "$name"
  t1=$(date +%s)
  timings+=("$(printf '%-58s %5d s' "$name" $((t1 - t0)))")
}

bootstrap() {
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  local mirror dir
  # The machine's own Debian mirror, as its sources name it.
  mirror=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  dir=$(mktemp -d "$repo/var/fresh/bootstrap.XXXXXX")
  chmod 755 "$dir" # it becomes /: mktemp's 0700 would shut every user but root out
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$repo/var/fresh/debootstrap.log" 2>&1 \
    || { tail -n 20 "$repo/var/fresh/debootstrap.log" >&2; return 1; }
  tar -C "$dir" -cf "$cache.new" . && mv "$cache.new" "$cache"
  rm -rf "$dir"
}

unpack() {
  rm -rf "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$cache"
  chmod 755 "$root"
  # This machine's way to its package and npm registries: apt sources and settings, proxies,
  # CA certificates, npm configuration, name resolution. Nothing else of the machine's.
  rm -f "$root/etc/apt/sources.list"
  cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
  rm -f "$root"/etc/apt/sources.list.d/*.disabled* 2>/dev/null || true
  [ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$root/etc/apt/sources.list"
  for f in /etc/apt/apt.conf.d/*; do
    grep -qiE 'proxy|Check-Valid-Until|Check-Date' "$f" 2>/dev/null && cp "$f" "$root/etc/apt/apt.conf.d/"
  done
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  for f in /etc/npmrc /usr/etc/npmrc; do [ ! -f "$f" ] || { mkdir -p "$root$(dirname "$f")"; cp "$f" "$root$f"; }; done
  [ ! -f /root/.npmrc ] || cp /root/.npmrc "$root/root/.npmrc"
  # No service starts inside a chroot (postgresql-15's own cluster is created, never started).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  # /proc of its own; /sys and /dev (with /dev/pts and /dev/shm, which Chromium needs) bound from
  # the machine as slaves, so that nothing mounted or unmounted inside reaches the machine.
  mkdir -p "$root/proc" "$root/sys" "$root/dev"
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  for d in sys dev; do
    mount --rbind "/$d" "$root/$d" && mounted+=("$root/$d")
    mount --make-rslave "$root/$d"
  done
}

# Run a command inside, as USER, in DIR, with a clean environment: what a new user's login has,
# plus the machine's proxy settings.
inside() { # USER DIR COMMAND
  local user=$1 dir=$2 cmd=$3 home=/root envs=()
  [ "$user" = root ] || home=/home/$user
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -z "${!v:-}" ] || envs+=("$v=${!v}")
  done
  chroot "$root" /usr/bin/env -i HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}" \
    /usr/sbin/runuser -u "$user" -- /bin/bash -c "cd '$dir' && $cmd" </dev/null
}

# The checkout, as git has it (committed and staged files plus this working tree's changes to
# them), copied to DIR inside, owned by USER.
copy_checkout() { # USER DIR
  mkdir -p "$root$2"
  (cd "$repo" && git ls-files -z | xargs -0 tar -cf -) | tar -C "$root$2" -xf -
  chroot "$root" chown -R "$1:$1" "$2"
}

# `make run` in DIR as USER: wait for /readyz, log in as the demo coordinator, SIGINT, clean exit.
run_and_stop() { # USER DIR
  local user=$1 dir=$2 port pg_port pid status=0 i
  port=$(free_port) pg_port=$(free_port)
  inside "$user" "$dir" "NOABER_PORT=$port NOABER_DEV_PG_PORT=$pg_port exec setsid make run" \
    >"$repo/var/fresh/make-run-$user.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 1200; i++)); do # installing and building come first: up to 20 minutes
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$repo/var/fresh/make-run-$user.log" >&2; return 1; }
    [ "$(http_status GET "http://127.0.0.1:$port/readyz")" = 200 ] && break
    sleep 1
  done
  [ "$(http_status GET "http://127.0.0.1:$port/readyz")" = 200 ] || { say "no /readyz 200"; return 1; }
  [ "$(http_status POST "http://127.0.0.1:$port/v1/auth/login" \
       '{"email":"coordinator@anna-zorgt.example","password":"noaber-demo"}')" = 200 ] \
    || { say "the demo login failed"; return 1; }
  say "make run as $user: ready on port $port, demo login 200; stopping with SIGINT"
  # setsid made `make` the leader of its own process group: Ctrl-C reaches all of it.
  local pgid
  pgid=$(pgid_of_make "$user") || { say "no make run process found for $user"; kill "$pid"; return 1; }
  kill -INT -- "-$pgid"
  wait "$pid" || status=$?
  # make exits 2 when its child died of SIGINT; what matters is that everything stopped cleanly.
  grep -q '"event":"shutdown_finished"' "$repo/var/fresh/make-run-$user.log" \
    || { tail -n 20 "$repo/var/fresh/make-run-$user.log" >&2; return 1; }
  [ -z "$(inside_pids postgres)" ] || { say "PostgreSQL still running after Ctrl-C"; return 1; }
  [ -z "$(inside_pids noaber)" ] || { say "the server still running after Ctrl-C"; return 1; }
  say "make run as $user stopped (exit $status), server and cluster down"
}
pgid_of_make() { # USER: the process group of the `make run` started inside for USER
  local p uid
  uid=$(chroot "$root" id -u "$1") # the user exists inside only
  for p in $(inside_pids make); do
    [ "$(stat -c %u "/proc/$p")" = "$uid" ] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q '^make run' \
      && { ps -o pgid= -p "$p" | tr -d ' '; return; }
  done
  return 1
}
inside_pids() { # NAME: the processes called NAME whose root is the fresh root filesystem
  local p
  for p in $(pgrep -x "$1"); do [ "$(readlink "/proc/$p/root" 2>/dev/null)" != "$root" ] || echo "$p"; done
}

# Without root and with packages missing, `make run` stops at once and prints the line to run as
# root: no sudo (a fresh Debian has none), the same --no-install-recommends as the root path.
printed_line=""
user_is_told() {
  local out status=0
  out=$(inside noaber-user /home/noaber-user/noaber "make run 2>&1") || status=$?
  [ "$status" != 0 ] || { say "make run as a user without the packages did not stop"; return 1; }
  printed_line=$(printf '%s\n' "$out" | grep -E '^  apt-get update && apt-get install -y --no-install-recommends ' | sed 's/^  //')
  [ -n "$printed_line" ] || { printf '%s\n' "$out" | tail -n 5 >&2; say "no apt-get line printed"; return 1; }
  ! printf '%s\n' "$out" | grep -q sudo || { say "the message mentions sudo"; return 1; }
  say "told: $printed_line"
}

# Loopback HTTP with the host's tools only (no curl on a fresh machine: bash's /dev/tcp).
http_status() { # METHOD URL [JSON]: the status code, or 000
  local method=$1 url=$2 body=${3:-} hostport path host port line
  hostport=${url#http://}
  path=/${hostport#*/}
  hostport=${hostport%%/*}
  host=${hostport%:*} port=${hostport#*:}
  { exec 7<>"/dev/tcp/$host/$port"; } 2>/dev/null || { echo 000; return; }
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$method" "$path" "$hostport" "${#body}" "$body" >&7
  IFS= read -r -t 10 line <&7 || line=""
  exec 7<&- 7>&-
  line=${line#HTTP/1.1 }
  echo "${line:0:3}" | grep -E '^[0-9]{3}$' || echo 000
}
free_port() {
  local p
  for ((;;)); do
    p=$((20000 + RANDOM % 20000))
    (exec 8<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

mkdir -p "$repo/var/fresh"
if [ "${FRESH_REBUILD:-0}" = 1 ] || [ ! -s "$cache" ]; then
  step "debootstrap --variant=minbase bookworm" bootstrap
else
  say "using the cached root filesystem $cache (FRESH_REBUILD=1 makes it anew)"
fi
step "unpack, with this machine's apt/npm settings and CA certificates" unpack
step "root: apt-get update && apt-get install -y make git ca-certificates" \
  inside root / "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y make git ca-certificates >/dev/null"
step "user: useradd -m noaber-user" chroot "$root" useradd -m -s /bin/bash noaber-user
step "user: copy the checkout to /home/noaber-user/noaber" copy_checkout noaber-user /home/noaber-user/noaber
step "user: make run before anything is installed: the line to run as root" user_is_told
step "root: the line make run printed" inside root / "export DEBIAN_FRONTEND=noninteractive; $printed_line >/dev/null"
step "root: copy the checkout to /root/noaber" copy_checkout root /root/noaber
step "root: make run in /root/noaber (readyz, demo login, SIGINT)" run_and_stop root /root/noaber
step "root: make test in /root/noaber" inside root /root/noaber "make test >/tmp/make-test-root.log 2>&1 || { tail -n 40 /tmp/make-test-root.log; exit 1; }"
step "user: make run in ~/noaber (readyz, demo login, SIGINT)" run_and_stop noaber-user /home/noaber-user/noaber
step "user: make test in ~/noaber" inside noaber-user /home/noaber-user/noaber "make test >/tmp/make-test-user.log 2>&1 || { tail -n 40 /tmp/make-test-user.log; exit 1; }"

say "times:"
printf '  %s\n' "${timings[@]}"
