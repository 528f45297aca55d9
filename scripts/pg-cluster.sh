#!/usr/bin/env bash
# Start, stop and set up a private PostgreSQL 15 cluster in a directory of our own.
#
#   scripts/pg-cluster.sh start DIR PORT   initdb on first use, start, create roles and database
#   scripts/pg-cluster.sh stop DIR         fast shutdown
#   scripts/pg-cluster.sh env DIR PORT     print the DATABASE_URL lines for that cluster
#
# The cluster listens on a unix socket in DIR/run and on 127.0.0.1:PORT, accepts local
# connections without a password (the socket directory is private to the cluster's user) and
# holds two roles: noaber_owner (owns the schema, runs migrations) and noaber_app (what the
# server logs in as: owns nothing, member of noaber_api, which the migrations grant to).
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|env DIR [PORT]" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
sock="$dir/run"

as_pg() { # from /: `postgres` may not be allowed into the caller's directory (a checkout under /root)
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?port needed}
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || { echo "user 'postgres' missing: install postgresql-15" >&2; exit 1; }
      chown postgres:postgres "$dir"
    fi
    as_pg mkdir -p "$sock"
    chmod 700 "$sock" 2>/dev/null || as_pg chmod 700 "$sock"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on} -c max_connections=200" start >/dev/null
    fi
    psql_cmd=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres)
    as_pg "${psql_cmd[@]}" <<'SQL'
SELECT 'CREATE ROLE noaber_owner LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'noaber_owner') \gexec
SELECT 'CREATE ROLE noaber_api NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'noaber_api') \gexec
SELECT 'CREATE ROLE noaber_app LOGIN IN ROLE noaber_api' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'noaber_app') \gexec
SELECT 'CREATE DATABASE noaber OWNER noaber_owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'noaber') \gexec
REVOKE ALL ON DATABASE noaber FROM PUBLIC;
GRANT CONNECT ON DATABASE noaber TO noaber_api;
SQL
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  env)
    port=${3:?port needed}
    echo "DATABASE_URL=postgresql:///noaber?host=$sock&port=$port&user=noaber_app"
    echo "NOABER_MIGRATION_DATABASE_URL=postgresql:///noaber?host=$sock&port=$port&user=noaber_owner"
    ;;
  *)
    echo "unknown command: $cmd" >&2; exit 2 ;;
esac
