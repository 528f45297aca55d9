# shellcheck shell=bash disable=SC2154
# Shell helpers shared by bench/matching.sh and bench/http-bench.sh; sourced, not run.
# The caller sets `repo` (the repository root), `tmp` (its temporary directory) and `bench_tag`
# (the prefix of its messages) before sourcing, and runs with set -euo pipefail.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
psql_bin="$PG_BIN/psql"
[ -x "$psql_bin" ] || psql_bin=psql
pgdir="$tmp/pg"
pg_port=""

say() { echo "${bench_tag:-bench}: $*" >&2; }
die() { say "$*"; exit 1; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# json_get EXPR < json: evaluates a JavaScript expression over `j` (the parsed input).
json_get() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const v=eval(process.argv[1]);
    console.log(typeof v==="object"?JSON.stringify(v):String(v))})' "$1"
}

# Answers 0 when GET $2 (default /healthz) on port $1 says 200 (plain bash: no curl needed).
healthz() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "${2:-/healthz}" >&3
  IFS= read -r -t 5 line <&3 || line=""
  exec 3<&- 3>&-
  [[ "$line" == HTTP/1.?" 200"* ]]
}

# wait_healthy PID PORT LOG [PATH]: waits up to 20 s for PID to answer 200 on PORT, else dies
# with the tail of LOG.
wait_healthy() {
  for _ in $(seq 1 200); do
    healthz "$2" "${4:-/healthz}" && return 0
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "process $1 did not answer on port $2"
}

# stop_pid PID: SIGTERM, up to 5 s to finish, then SIGKILL. Only ever our own children.
stop_pid() {
  [ -n "${1:-}" ] || return 0
  if kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

# A throwaway cluster in $pgdir on a free port (scripts/pg-cluster.sh); exports the URLs of the
# schema owner and the server's role and a fresh JWT key. Stop it with bench_pg_stop.
bench_pg_start() {
  pg_port=$(free_port)
  say "PostgreSQL on 127.0.0.1:$pg_port, files in $tmp"
  "$repo/scripts/pg-cluster.sh" start "$pgdir" "$pg_port" >"$tmp/pg-setup.log" 2>&1 \
    || { cat "$tmp/pg-setup.log" >&2; die "starting PostgreSQL failed"; }
  local line
  while IFS= read -r line; do
    export "${line?}"
  done < <("$repo/scripts/pg-cluster.sh" env "$pgdir" "$pg_port")
  NOABER_JWT_KEYS="k1:$(head -c 48 /dev/urandom | base64 -w0)"
  export NOABER_JWT_KEYS
}
bench_pg_stop() { "$repo/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1 || true; }

# The superuser's URL for database $1 (default postgres), over the cluster's socket.
superuser_url() { echo "postgresql:///${1:-postgres}?host=$pgdir/run&port=$pg_port&user=postgres"; }

# One line about the machine, for the results.
machine_line() {
  local cpu pgver
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
  pgver=$("$psql_bin" -X -t -A "$DATABASE_URL" -c "SHOW server_version" 2>/dev/null | awk '{ print $1 }')
  echo "$(nproc) cores (${cpu:-unknown}), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); PostgreSQL ${pgver:-?} (throwaway cluster, default settings)"
}

# results_replace FILE START END CONTENT_FILE [BEFORE]: puts CONTENT_FILE between the lines START
# and END of FILE (markers kept), so each benchmark rewrites only its own section. Without the
# markers the section is inserted before the line BEFORE when given and present, else appended.
results_replace() {
  local file=$1 start=$2 end=$3 content=$4 before=${5:-} out
  out=$(mktemp "$file.XXXXXX")
  if [ -f "$file" ] && grep -qxF -- "$start" "$file" && grep -qxF -- "$end" "$file"; then
    awk -v s="$start" -v e="$end" -v f="$content" '
      $0 == s { print; while ((getline l < f) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$file" >"$out"
  elif [ -f "$file" ] && [ -n "$before" ] && grep -qxF -- "$before" "$file"; then
    awk -v s="$start" -v e="$end" -v f="$content" -v b="$before" '
      $0 == b && !done { print s; while ((getline l < f) > 0) print l; print e; done = 1 }
      { print }' "$file" >"$out"
  else
    { [ -f "$file" ] && cat "$file" && echo; echo "$start"; cat "$content"; echo "$end"; } >"$out"
  fi
  chmod 644 "$out"
  mv "$out" "$file"
}
