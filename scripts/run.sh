#!/usr/bin/env bash
# `make run`: start (or reuse) the embedded PostgreSQL under ./var when DATABASE_URL is not set,
# apply migrations, load the demo data and serve the API until Ctrl-C. As root the cluster runs as
# the user `postgres` (PostgreSQL refuses root); when that user cannot reach the checkout (one
# under /root, mode 700), its data goes to /var/lib/noaber/pg-<hash of the checkout's path>.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p var

embedded=0
if [ -z "${DATABASE_URL:-}" ]; then
  embedded=1
  pg_port=${NOABER_DEV_PG_PORT:-54329}
  pg_dir=var/pg
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$root" 2>/dev/null; then
    pg_dir=/var/lib/noaber/pg-$(printf '%s' "$root" | sha256sum | cut -c1-12)
    echo "The user postgres cannot enter $root, so the embedded cluster keeps its data in $pg_dir"
  fi
  scripts/pg-cluster.sh start "$pg_dir" "$pg_port"
  while IFS= read -r line; do export "${line?}"; done < <(scripts/pg-cluster.sh env "$pg_dir" "$pg_port")
  echo "Embedded PostgreSQL 15 in $pg_dir (port $pg_port, kept between runs)"
fi

# A development signing key, made once and kept in var/ (never used outside make run).
if [ -z "${NOABER_JWT_KEYS:-}" ]; then
  if [ ! -s var/jwt-keys ]; then
    (umask 077; printf 'dev-%s:%s\n' "$(date +%Y%m%d)" "$(head -c 48 /dev/urandom | base64 -w0)" > var/jwt-keys)
  fi
  NOABER_JWT_KEYS=$(cat var/jwt-keys)
  export NOABER_JWT_KEYS
fi

"$build/noaber" migrate
"$build/noaber" seed-demo

port=${NOABER_PORT:-8080}
bind=${NOABER_BIND:-127.0.0.1}
cat <<MSG

Noaber is starting on http://$bind:$port
  API docs:   http://$bind:$port/docs
  Contract:   http://$bind:$port/v1/openapi.json
  Health:     http://$bind:$port/healthz   Ready: http://$bind:$port/readyz   Metrics: http://$bind:$port/metrics

Demo accounts (password: noaber-demo):
  coordinator@anna-zorgt.example      coordinator, Anna Zorgt
  volunteer1@anna-zorgt.example       volunteer, Anna Zorgt
  volunteer2@anna-zorgt.example       volunteer, Anna Zorgt
  resident1@anna-zorgt.example        resident, Anna Zorgt
  resident2@anna-zorgt.example        resident and volunteer, Anna Zorgt
  professional@wijkteam.example       professional, Anna Zorgt and Tot uw Dienst
  coordinator@tot-uw-dienst.example   coordinator, Tot uw Dienst

Try: curl -s -X POST http://$bind:$port/v1/auth/login -H 'Content-Type: application/json' \\
       -d '{"email":"coordinator@anna-zorgt.example","password":"noaber-demo"}'
Ctrl-C stops the server.

MSG

stop_db() { if [ "$embedded" = 1 ]; then scripts/pg-cluster.sh stop "$pg_dir"; fi; }
trap stop_db EXIT
# Not exec: after Ctrl-C the server shuts down gracefully and then the trap stops PostgreSQL.
status=0
"$build/noaber" serve || status=$?
exit "$status"
