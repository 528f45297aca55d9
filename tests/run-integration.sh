#!/usr/bin/env bash
# Integration run: a throwaway PostgreSQL cluster, the real server, the Check suite over HTTP,
# the database tests, then the plan tests on a big Anna Zorgt (tests/plans), the contract checks
# on what was exchanged, a log privacy check and a clean shutdown.
#
#   tests/run-integration.sh BUILD_DIR      (BUILD_DIR holds noaber, tests/integration, tests/db
#                                            and tests/plans)
#
# Keeps its temporary directory (logs, exchanges.jsonl) when something failed, or always with
# NOABER_KEEP_TMP=1. Extra arguments for the Check binary go through Check's own environment
# variables (CK_RUN_SUITE, CK_RUN_CASE, CK_VERBOSITY, CK_TIMEOUT_MULTIPLIER); with CK_RUN_SUITE or
# CK_RUN_CASE set (make test SUITE=name) only that part of the Check suite runs, and the database
# tests, the plan tests and the docs page check are skipped. Each integration test makes its own
# communities (tests/lib/fixture.h), so any suite runs alone and in any order;
# NOABER_TEST_ORDER=reverse runs the suites last to first.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd) || exit 2
bin="$build/noaber"
itest="$build/tests/integration"
for f in "$bin" "$itest" "$build/tests/db" "$build/tests/plans"; do
  [ -x "$f" ] || { echo "run-integration: missing $f (build it first)" >&2; exit 2; }
done
command -v node >/dev/null || { echo "run-integration: node is needed for the contract tools" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/noaber-itest.XXXXXX")
chmod 755 "$tmp" # the cluster runs as user postgres when we are root
pgdir="$tmp/pg"
server_pid=""
failures=()

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null || true
  fi
  "$repo/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1
  if [ ${#failures[@]} -eq 0 ] && [ "${NOABER_KEEP_TMP:-0}" != 1 ]; then
    rm -rf "$tmp"
  else
    echo "run-integration: logs kept in $tmp"
  fi
}
trap cleanup EXIT

fail() { failures+=("$1"); echo "run-integration: FAILED: $1"; }

# Answers 0 when GET /healthz on port $1 says 200 (plain bash, no client needed).
healthz() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 5 line <&3
  exec 3<&- 3>&-
  [[ "$line" == HTTP/1.?" 200"* ]]
}

pg_port=$(free_port)
port=$(free_port)
echo "run-integration: PostgreSQL on $pg_port, server on $port, files in $tmp"

if ! "$repo/scripts/pg-cluster.sh" start "$pgdir" "$pg_port" >"$tmp/pg-setup.log" 2>&1; then
  cat "$tmp/pg-setup.log" >&2
  fail "starting PostgreSQL"
  exit 1
fi
while IFS= read -r line; do
  export "${line?}"
done < <("$repo/scripts/pg-cluster.sh" env "$pgdir" "$pg_port")

key() { head -c 48 /dev/urandom | base64 -w0; }
export NOABER_JWT_KEYS="itest-a:$(key),itest-b:$(key)"
export NOABER_METRICS_TOKEN="$(key)"
export NOABER_LOGIN_IP_MAX_FAILURES=1000
export NOABER_ARGON2_MEMLIMIT_KIB=19456

if ! "$bin" migrate >"$tmp/migrate.log" 2>&1 || ! "$bin" seed-demo >>"$tmp/migrate.log" 2>&1; then
  cat "$tmp/migrate.log" >&2
  fail "migrate / seed-demo"
  exit 1
fi

NOABER_PORT=$port "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  healthz "$port" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if ! healthz "$port"; then
  tail -n 20 "$tmp/server.log" >&2
  fail "server did not become healthy"
  exit 1
fi
echo "run-integration: server up (pid $server_pid); running the Check suite"

export NOABER_BIN="$bin"
export NOABER_TEST_BASE_URL="http://127.0.0.1:$port"
export NOABER_TEST_EXCHANGE_LOG="$tmp/exchanges.jsonl"
export NOABER_TEST_JWT_KEYS="$NOABER_JWT_KEYS"
export NOABER_TEST_METRICS_TOKEN="$NOABER_METRICS_TOKEN"
export NOABER_TEST_JWT_ISSUER="${NOABER_JWT_ISSUER:-noaber}"
export NOABER_TEST_JWT_AUDIENCE="${NOABER_JWT_AUDIENCE:-noaber-api}"
export NOABER_TEST_APP_DSN="$DATABASE_URL"
export NOABER_TEST_OWNER_DSN="postgresql:///noaber?host=$pgdir/run&port=$pg_port&user=postgres"
export NOABER_TEST_PG_SCRIPT="$repo/scripts/pg-cluster.sh"
export NOABER_TEST_TMPDIR="$tmp"
: >"$NOABER_TEST_EXCHANGE_LOG"

subset=""
if [ -n "${CK_RUN_SUITE:-}${CK_RUN_CASE:-}" ]; then
  subset="CK_RUN_SUITE=${CK_RUN_SUITE:-} CK_RUN_CASE=${CK_RUN_CASE:-}"
fi
"$itest" || fail "integration tests"
if [ -n "$subset" ]; then
  echo "run-integration: $subset: database tests, plan tests and docs page skipped"
else
  "$build/tests/db" || fail "database tests"
fi

# Plan tests: make Anna Zorgt big (~10,000 members, ~100,000 help requests, 2,000 cases; the
# demo accounts get their share, plus an outside guest), then EXPLAIN every hot statement in the
# context of every role (tests/plans/test_plans.c). As the schema owner, on the same cluster:
# the integration suite's data stays, Tot uw Dienst stays small.
plans_seed() {
  local psql_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}/psql"
  [ -x "$psql_bin" ] || psql_bin=psql
  local anna=00000000-0000-4000-8000-00000000a001 coordinator=00000000-0000-4000-8000-000000000101
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL" -v community="$anna" \
    -v coordinator="$coordinator" -v volunteers=9700 -v residents=300 -v requests=84000 \
    -f "$repo/bench/synthetic.sql" >"$tmp/plans-seed.log" 2>&1 &&
    "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL" -v community="$anna" \
      -v coordinator="$coordinator" -v volunteer=00000000-0000-4000-8000-000000000102 \
      -v resident=00000000-0000-4000-8000-000000000104 -v professional=00000000-0000-4000-8000-000000000106 \
      -v guest=00000000-0000-4000-8000-000000000108 -v cases=2000 \
      -f "$repo/tests/plans/seed.sql" >>"$tmp/plans-seed.log" 2>&1
}
plans_started=$(date +%s.%N)
if [ -n "$subset" ]; then
  : # a subset of the Check suite: no plan tests
elif plans_seed; then
  echo "run-integration: plan test data loaded in $(awk -v a="$plans_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
  "$build/tests/plans" || fail "plan tests"
else
  tail -n 20 "$tmp/plans-seed.log" >&2
  fail "loading the plan test data"
fi
echo "run-integration: $(wc -l <"$NOABER_TEST_EXCHANGE_LOG") exchanges logged"

cd "$repo" || exit 1
if "$bin" routes >"$tmp/routes.txt" 2>"$tmp/routes.err"; then
  node tools/check-routes.mjs openapi/openapi.yaml "$tmp/routes.txt" || fail "routes vs contract"
else
  cat "$tmp/routes.err" >&2
  fail "noaber routes"
fi
node tools/validate-exchanges.mjs openapi/openapi.yaml "$NOABER_TEST_EXCHANGE_LOG" \
  || fail "exchanges vs contract"
node tools/check-language.mjs i18n/texts.json "$NOABER_TEST_EXCHANGE_LOG" --sources src api || fail "texts vs language"
if [ -z "$subset" ]; then
  node tools/docs-check.mjs "http://127.0.0.1:$port/docs" || fail "docs page"
fi

# Log privacy: no password, bearer token, refresh token or invitation code in any server log.
node - "$NOABER_TEST_EXCHANGE_LOG" >"$tmp/secrets.txt" <<'JS'
const fs = require("fs");
const out = new Set(["noaber-demo", "integration-Test-pw-2024!", "Bearer ey"]);
const walk = (v) => {
  if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === "string" && x.length >= 8 &&
          (k === "access_token" || k === "refresh_token" || (k === "code" && "expires_at" in v)))
        out.add(x);
      else walk(x);
    }
};
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
  if (!line) continue;
  try { walk(JSON.parse(JSON.parse(line).body)); } catch { /* not JSON */ }
}
console.log([...out].join("\n"));
JS
leaks=$(grep -F -l -f "$tmp/secrets.txt" "$tmp"/server*.log 2>/dev/null)
if [ -n "$leaks" ]; then
  grep -F -n -f "$tmp/secrets.txt" "$tmp"/server*.log | cut -c1-200 | head -n 5 >&2
  fail "secrets in server logs: $leaks"
fi

if ! kill -0 "$server_pid" 2>/dev/null; then
  wait "$server_pid"
  code=$?
  tail -n 20 "$tmp/server.log" >&2
  fail "server was gone before the end of the run (exit code $code)"
else
  kill -TERM "$server_pid"
  ( sleep 30; kill -KILL "$server_pid" 2>/dev/null ) &
  watchdog=$!
  wait "$server_pid"
  code=$?
  kill "$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  if [ "$code" -eq 137 ]; then
    fail "server did not exit within 30 s of SIGTERM"
  elif [ "$code" -ne 0 ]; then
    tail -n 30 "$tmp/server.log" >&2
    fail "server exit code $code after SIGTERM"
  fi
fi
server_pid=""

if [ ${#failures[@]} -ne 0 ]; then
  echo "run-integration: ${#failures[@]} step(s) failed: ${failures[*]}"
  exit 1
fi
echo "run-integration: all steps passed"
