#!/usr/bin/env bash
# HTTP benchmark: Noaber against bare peers on the same PostgreSQL, over loopback, with wrk.
#
#   bench/http-bench.sh BUILD_DIR      (BUILD_DIR holds noaber and bench/bare-peer; `make bench-http`)
#
# A throwaway PostgreSQL cluster on a free port, `noaber migrate` + `seed-demo`, synthetic data by
# BENCH_SCALE (bench/synthetic.sql), VACUUM ANALYZE. Then, through Noaber's API and as each person
# would from their own app: the coordinator enters a help request for resident1, triages it and
# offers it to volunteer1, who accepts; the coordinator opens a case about it with notes. wrk
# measures Noaber's reads next to two peers that run Noaber's own SQL (`noaber statements`) as a
# role that bypasses row-level security: bench/peers/bare.c (Ulfius + libpq, nothing else) and
# bench/peers/fastify.mjs (Fastify + pg). Prints one table with ratios and targets and writes it
# between the bench-http markers of bench/RESULTS.md (a sub-section per BENCH_SECTION). The
# targets are printed, not enforced: the exit status says only whether the benchmark itself ran.
# Everything stops on exit; the temporary directory is kept on failure or with BENCH_KEEP_TMP=1.
#
# Knobs (environment): BENCH_SCALE (small: the demo data; 10k: 10,000 members and ~100,000 help
# requests; 1m: 100,000 members, ~1,000,000 requests, ~3,000,000 occurrences), BENCH_DURATION (8,
# seconds per measured run), BENCH_WARMUP (2, seconds of unmeasured load before each run),
# BENCH_CONNS ("16 64"), BENCH_RSS_CONNS (256: the run during which noaber's RSS is sampled),
# BENCH_QUIET_WAIT (60: longest wait, per run, for the machine to be under BENCH_QUIET_PCT (15)
# percent busy), BENCH_RESULTS (bench/RESULTS.md; empty: do not write), BENCH_SECTION (the
# sub-section of RESULTS.md to replace; default the scale), BENCH_SOURCE (what was measured, for
# the report; default: the repository's commit and whether src/, api/ or sql/ had local changes),
# BENCH_LIST_STATEMENT (the statement behind the coordinator's list page; default hr_page_all, or
# hr_page in older code).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd) || exit 2
bin="$build/noaber"
bare_bin="$build/bench/bare-peer"
for f in "$bin" "$bare_bin"; do
  [ -x "$f" ] || { echo "bench-http: missing $f (make bench-http builds it)" >&2; exit 2; }
done
for c in wrk node; do
  command -v "$c" >/dev/null || { echo "bench-http: $c is needed (scripts/deps.sh bench)" >&2; exit 2; }
done
[ -d "$repo/node_modules/fastify" ] && [ -d "$repo/node_modules/pg" ] \
  || { echo "bench-http: fastify and pg missing: npm ci" >&2; exit 2; }

scale=${BENCH_SCALE:-small}
case "$scale" in
  small) ;;
  # requests = one-off past requests, plus requests/3 weekly ones of which 5 in 7 are kept (the
  # categories that may recur): 26/21 x requests help requests in all.
  10k) volunteers=9700 residents=300 requests=80800 weeks=7 ;;
  1m) volunteers=97000 residents=3000 requests=807700 weeks=11 ;;
  *) echo "bench-http: BENCH_SCALE must be small, 10k or 1m" >&2; exit 2 ;;
esac
duration=${BENCH_DURATION:-8}
warmup=${BENCH_WARMUP:-2}
read -r -a conns_list <<<"${BENCH_CONNS:-16 64}"
rss_conns=${BENCH_RSS_CONNS:-256}
quiet_wait=${BENCH_QUIET_WAIT:-60}
quiet_pct=${BENCH_QUIET_PCT:-15}
results=${BENCH_RESULTS-$repo/bench/RESULTS.md}
section=${BENCH_SECTION:-$scale}
[[ "$section" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bench-http: BENCH_SECTION: letters, digits, . _ - only" >&2; exit 2; }
cert_days=${NOABER_CERTIFICATE_VALID_DAYS:-1095}
ANNA=00000000-0000-4000-8000-00000000a001
TUD=00000000-0000-4000-8000-00000000b001 # Tot uw Dienst: the small community beside Anna Zorgt
COORDINATOR=00000000-0000-4000-8000-000000000101

tmp=$(mktemp -d "${TMPDIR:-/tmp}/noaber-bench-http.XXXXXX")
chmod 755 "$tmp" # the cluster runs as user postgres when we are root
bench_tag=bench-http
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
server_pid="" quiet_pid="" bare_pid="" fastify_pid="" context_pid=""
ok=0

cleanup() {
  stop_pid "$server_pid"
  stop_pid "$quiet_pid"
  stop_pid "$bare_pid"
  stop_pid "$context_pid"
  stop_pid "$fastify_pid"
  bench_pg_stop
  if [ "$ok" = 1 ] && [ "${BENCH_KEEP_TMP:-0}" != 1 ]; then
    rm -rf "$tmp"
  else
    echo "bench-http: files kept in $tmp" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${BENCH_SOURCE:-}" ]; then
  BENCH_SOURCE="commit $(git -C "$repo" log -1 --format=%h 2>/dev/null || echo unknown)"
  dirty=$(git -C "$repo" status --porcelain -- src api sql 2>/dev/null | wc -l)
  [ "$dirty" = 0 ] || BENCH_SOURCE="$BENCH_SOURCE with $dirty uncommitted change(s) in src/, api/ or sql/"
fi

# ---- database ------------------------------------------------------------------------------
bench_pg_start
"$bin" migrate >"$tmp/migrate.log" 2>&1 && "$bin" seed-demo >>"$tmp/migrate.log" 2>&1 \
  || { cat "$tmp/migrate.log" >&2; die "migrate / seed-demo failed"; }

t0=$(date +%s)
if [ "$scale" != small ]; then
  say "loading $scale: $volunteers volunteers, $residents residents, $requests one-off requests + $((requests / 3)) weekly ($weeks weeks)"
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL" \
    -v community="$ANNA" -v coordinator="$COORDINATOR" -v volunteers="$volunteers" \
    -v residents="$residents" -v requests="$requests" -v weeks="$weeks" \
    -f "$repo/bench/synthetic.sql" >"$tmp/synthetic.log" 2>&1 \
    || { tail -n 20 "$tmp/synthetic.log" >&2; die "loading synthetic data failed"; }
fi
# Statistics and visibility map for every table, then flush the load now rather than in a
# checkpoint during the measurements.
"$psql_bin" -X -q -v ON_ERROR_STOP=1 "$(superuser_url noaber)" -c "VACUUM ANALYZE" -c CHECKPOINT >/dev/null
load_s=$(($(date +%s) - t0))

# The peers' role: "the owner with no context" (bypasses row-level security, reads only).
"$psql_bin" -X -q -v ON_ERROR_STOP=1 "$(superuser_url noaber)" >/dev/null <<'SQL'
CREATE ROLE noaber_bench LOGIN BYPASSRLS;
GRANT CONNECT ON DATABASE noaber TO noaber_bench;
GRANT USAGE ON SCHEMA public TO noaber_bench;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO noaber_bench;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO noaber_bench;
SQL
bench_url="postgresql:///noaber?host=$pgdir/run&port=$pg_port&user=noaber_bench"
# Counts as the peers' role: row-level security would hide rows from the owner without context.
IFS='|' read -r n_members n_requests n_occ <<<"$("$psql_bin" -X -t -A "$bench_url" -c "SELECT
  (SELECT count(*) FROM memberships WHERE community_id = '$ANNA'),
  (SELECT count(*) FROM help_requests WHERE community_id = '$ANNA'),
  (SELECT count(*) FROM occurrences WHERE community_id = '$ANNA')")"
say "data ready in ${load_s}s: $n_members members, $n_requests help requests, $n_occ occurrences in Anna Zorgt"

"$bin" statements >"$tmp/statements.json" || die "noaber statements failed"
# The statement behind the coordinator's list page: its name has changed with the code.
list_stmt=${BENCH_LIST_STATEMENT:-}
if [ -z "$list_stmt" ]; then
  list_stmt=$(json_get "['hr_page_all', 'hr_page'].find(n => typeof j[n] === 'string') || ''" <"$tmp/statements.json")
fi
[ -n "$list_stmt" ] || die "no list statement (hr_page_all, hr_page) in noaber statements: set BENCH_LIST_STATEMENT"

# ---- servers -------------------------------------------------------------------------------
port=$(free_port) quiet_port=$(free_port) bare_port=$(free_port) fastify_port=$(free_port) context_port=$(free_port)
[ "$(printf '%s\n' "$port" "$quiet_port" "$bare_port" "$fastify_port" "$context_port" | sort -u | wc -l)" = 5 ] \
  || die "free_port returned the same port twice; run again"
# Default configuration (log level info, one JSON line per request on stderr, here to a file),
# except the per-address connection limit: every wrk connection comes from 127.0.0.1.
export NOABER_PER_IP_CONNECTION_LIMIT=${NOABER_PER_IP_CONNECTION_LIMIT:-0}
NOABER_PORT=$port "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
# The same with request logging off, to show what logging costs.
NOABER_PORT=$quiet_port NOABER_LOG_LEVEL=warning "$bin" serve >"$tmp/server-quiet.log" 2>&1 &
quiet_pid=$!
"$bare_bin" "$bare_port" "$bench_url" "$tmp/statements.json" hr_get "$list_stmt" >"$tmp/bare.log" 2>&1 &
bare_pid=$!
# The bare peer doing Noaber's database work for the coordinator: Noaber's role, context statement,
# roles check and row-level security. Between it and the bare peer: what isolation in the
# database costs; between Noaber and it: what Noaber's HTTP layer costs.
BARE_CONTEXT="$COORDINATOR coordinator" "$bare_bin" "$context_port" "$DATABASE_URL" "$tmp/statements.json" hr_get \
  >"$tmp/bare-context.log" 2>&1 &
context_pid=$!
PGHOST="$pgdir/run" PGPORT=$pg_port PGUSER=noaber_bench PGDATABASE=noaber \
  node "$repo/bench/peers/fastify.mjs" "$fastify_port" "$tmp/statements.json" hr_get "$list_stmt" >"$tmp/fastify.log" 2>&1 &
fastify_pid=$!
wait_healthy "$server_pid" "$port" "$tmp/server.log"
wait_healthy "$quiet_pid" "$quiet_port" "$tmp/server-quiet.log"
wait_healthy "$bare_pid" "$bare_port" "$tmp/bare.log"
wait_healthy "$context_pid" "$context_port" "$tmp/bare-context.log"
wait_healthy "$fastify_pid" "$fastify_port" "$tmp/fastify.log"
base="http://127.0.0.1:$port"

# ---- the story, through the API ------------------------------------------------------------
login() { # EMAIL: a fresh access token (they live at most 15 minutes)
  node "$repo/bench/http.mjs" POST "$base/v1/auth/login" - "{\"email\":\"$1\",\"password\":\"noaber-demo\"}" --get j.access_token
}
api() { # TOKEN METHOD PATH [BODY]: the body of a 2xx answer, else fails
  node "$repo/bench/http.mjs" "$2" "$base$3" "$1" "${4:--}"
}
COORD_EMAIL=coordinator@anna-zorgt.example VOL_EMAIL=volunteer1@anna-zorgt.example
RES_EMAIL=resident1@anna-zorgt.example TUD_EMAIL=coordinator@tot-uw-dienst.example
coord=$(login "$COORD_EMAIL") || die "coordinator login failed"
coord_id=$(api "$coord" GET /v1/me | json_get j.id)
# The coordinator finds people in the member list (paged; the demo members come first).
member_id() {
  local cursor="" page id
  for _ in $(seq 1 1100); do
    page=$(api "$coord" GET "/v1/communities/$ANNA/members?limit=100${cursor:+&cursor=$cursor}")
    id=$(json_get "(j.items.find(m => m.email === '$1') || {}).person_id || ''" <<<"$page")
    [ -z "$id" ] || { echo "$id"; return 0; }
    cursor=$(json_get "j.next_cursor || ''" <<<"$page")
    [ -n "$cursor" ] || return 1
  done
  return 1
}
resident_id=$(member_id "$RES_EMAIL") || die "resident1 not in the member list"
volunteer_id=$(member_id "$VOL_EMAIL") || die "volunteer1 not in the member list"
shopping=$(api "$coord" GET "/v1/communities/$ANNA/categories?limit=50" | json_get "j.items.find(c => c.code === 'shopping').id")
# Next Tuesday 10:00-11:00 in Amsterdam (volunteer1 is available on weekdays 09-17).
IFS='|' read -r starts ends <<<"$("$psql_bin" -X -t -A "$DATABASE_URL" -c "
  WITH w AS (SELECT date_trunc('week', (now() AT TIME ZONE 'Europe/Amsterdam') + interval '7 days') AS mon)
  SELECT to_char((mon + interval '1 day 10 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
         to_char((mon + interval '1 day 11 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
  FROM w")"
hr=$(api "$coord" POST "/v1/communities/$ANNA/help-requests" "{\"category_id\":\"$shopping\",\"resident_id\":\"$resident_id\",
  \"description\":\"Boodschappen bij de supermarkt\",\"when\":{\"starts_at\":\"$starts\",\"ends_at\":\"$ends\"},\"recurrence\":null,
  \"place\":{\"address\":\"Voorstraat 12, Sint Annaland\",\"lat\":51.6101,\"lon\":4.1092},\"in_home\":false,\"urgency\":\"normal\"}" \
  | json_get j.id) || die "creating the help request failed"
api "$coord" POST "/v1/communities/$ANNA/help-requests/$hr/actions/triage" '{"track":"informal"}' >/dev/null || die "triage failed"
api "$coord" POST "/v1/communities/$ANNA/help-requests/$hr/actions/offer" "{\"volunteer_ids\":[\"$volunteer_id\"]}" >/dev/null \
  || die "offer failed"

vol=$(login "$VOL_EMAIL") || die "volunteer login failed"
tasks=$(api "$vol" GET "/v1/me/tasks?limit=100")
vol_hr=$(json_get "(j.items.find(i => i.id === '$hr') || {}).id || ''" <<<"$tasks")
[ "$vol_hr" = "$hr" ] || die "the offered request is not in volunteer1's GET /v1/me/tasks"
# The volunteer's own responses (tasks, the request document) carry no offer id, and the offers
# list is for coordinators: the id comes from the coordinator's GET .../offers (as the tests do).
offer_note="volunteer1 finds the request in GET /v1/me/tasks, but no offer id in any response of their own"
if json_get "JSON.stringify(j).includes('offer_id')" <<<"$tasks" | grep -qx true; then
  offer_note="volunteer1 finds the offer id in GET /v1/me/tasks"
fi
offer=$(api "$coord" GET "/v1/communities/$ANNA/help-requests/$hr/offers" \
  | json_get "j.items.find(o => o.volunteer_id === '$volunteer_id' && o.status === 'pending').id") || die "no pending offer"
say "$offer_note: offer $offer taken from the coordinator's GET .../offers"
[ "$(api "$vol" POST "/v1/communities/$ANNA/offers/$offer/accept" | json_get j.status)" = accepted ] || die "accept failed"

res=$(login "$RES_EMAIL") || die "resident login failed"
res_hr=$(api "$res" GET "/v1/me/help-requests?limit=100" | json_get "(j.items.find(i => i.id === '$hr') || {}).id || ''")
[ "$res_hr" = "$hr" ] || die "the request is not in resident1's GET /v1/me/help-requests"
[ "$(api "$coord" GET "/v1/communities/$ANNA/help-requests/$hr" | json_get j.status)" = matched ] || die "request not matched"

case_id=$(api "$coord" POST "/v1/communities/$ANNA/cases" \
  "{\"subject_id\":\"$resident_id\",\"title\":\"Ondersteuning thuis\",\"help_request_id\":\"$hr\"}" | json_get j.id) \
  || die "creating the case failed"
for text in "Eerste gesprek gehad; boodschappen op dinsdag." "Vrijwilliger gekoppeld." "Over twee weken evalueren."; do
  api "$coord" POST "/v1/communities/$ANNA/cases/$case_id/notes" "{\"text\":\"$text\",\"visibility\":\"all\"}" >/dev/null \
    || die "adding a note failed"
done
n_timeline=$(api "$coord" GET "/v1/communities/$ANNA/cases/$case_id/timeline" | json_get j.items.length)
say "help request $hr (matched to volunteer1), case $case_id with $n_timeline timeline entries"

# ---- measuring -----------------------------------------------------------------------------
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_all() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
jiffies() { # PID...: user+system jiffies of these processes
  local p t sum=0
  for p in "$@"; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
pg_pids() { local pm; pm=$(head -n 1 "$pgdir/data/postmaster.pid"); echo "$pm"; pgrep -P "$pm" || true; }
# pg_cpu NAME: the jiffies of every PostgreSQL process into the associative array NAME. Backends
# come and go (a server may replace a connection): one started during a run counts from zero.
pg_cpu() {
  local -n snap=$1
  local p
  snap=()
  while read -r p; do snap[$p]=$(jiffies "$p"); done < <(pg_pids)
}
# Waits (at most BENCH_QUIET_WAIT seconds) until the machine is nearly idle for a second: another
# job on these two cores would change the figures. The "other load" column shows what remained.
wait_quiet() {
  local a0 a1 busy waited=0
  while :; do
    a0=$(cpu_all); sleep 1; a1=$(cpu_all)
    busy=$(awk -v a0="$a0" -v a1="$a1" 'BEGIN { split(a0, x, " "); split(a1, y, " "); b = y[1] - x[1];
      t = b + y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * b / t : 0) }')
    [ "$busy" -gt "$quiet_pct" ] || return 0
    [ "$waited" -lt "$quiet_wait" ] || { say "machine still ${busy}% busy after ${waited}s: measuring anyway"; return 0; }
    [ "$waited" -gt 0 ] || say "machine ${busy}% busy: waiting up to ${quiet_wait}s for it to calm down"
    sleep 2
    waited=$((waited + 3))
  done
}
# CPU seconds of this shell's finished children (wrk among them). `times` must run in this shell,
# not in a $(...) subshell, whose own children counters start at zero.
child_cpu() { # VAR
  times >"$tmp/times"
  printf -v "$1" '%s' "$(tail -n 1 "$tmp/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } print s }')"
}
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
  printf "%.2f", u == "us" ? n / 1000 : u == "ms" ? n : u == "s" ? n * 1000 : u == "m" ? n * 60000 : n }'; }

declare -A RPS P99 BAD CPU_SRV CPU_PG
rows=()
# measure KEY LABEL SERVER_NAME SERVER_PID CONNS URL [TOKEN]
measure() {
  local key=$1 label=$2 sname=$3 spid=$4 c=$5 url=$6 tok=${7:-} hdr=() out a0 a1 s0 s1 g=0 w0 w1 p
  local -A pg0 pg1
  [ -z "$tok" ] || hdr=(-H "Authorization: Bearer $tok")
  wait_quiet
  wrk -t2 -c"$c" -d"${warmup}s" --timeout 5s "${hdr[@]}" "$url" >/dev/null 2>&1 || true
  pg_cpu pg0
  a0=$(cpu_all) s0=$(jiffies "$spid")
  child_cpu w0
  out=$(wrk -t2 -c"$c" -d"${duration}s" --timeout 5s --latency "${hdr[@]}" "$url" 2>&1) || die "wrk failed: $out"
  a1=$(cpu_all) s1=$(jiffies "$spid")
  pg_cpu pg1
  child_cpu w1
  for p in "${!pg1[@]}"; do g=$((g + pg1[$p] - ${pg0[$p]:-0})); done
  printf '== %s (%s, %s conns)\n%s\n' "$label" "$sname" "$c" "$out" >>"$tmp/wrk.log"
  local rps p50 p99 non2xx sock n other
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  sock=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  n=$(awk '/requests in/ { print $1 }' <<<"$out")
  [ -n "$rps" ] && [ -n "$n" ] && [ "$n" -gt 0 ] || die "wrk measured nothing for $label: $out"
  # Other load: busy CPU not spent by this server, PostgreSQL or wrk, as a share of all cores.
  other=$(awk -v a0="$a0" -v a1="$a1" -v s="$((s1 - s0))" -v g="$g" -v w0="$w0" -v w1="$w1" -v hz="$hz" '
    BEGIN { split(a0, x, " "); split(a1, y, " "); busy = y[1] - x[1]; all = busy + y[2] - x[2];
            o = busy - s - g - (w1 - w0) * hz; if (o < 0) o = 0; printf "%.0f", (all > 0 ? 100 * o / all : 0) }')
  RPS[$key]=$rps P99[$key]=$p99 BAD[$key]=$((${non2xx:-0} + ${sock:-0}))
  CPU_SRV[$key]=$(awk -v j="$((s1 - s0))" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.0f", j / hz * 1e6 / n }')
  CPU_PG[$key]=$(awk -v j="$g" -v hz="$hz" -v n="$n" 'BEGIN { printf "%.0f", j / hz * 1e6 / n }')
  rows+=("| $label | $sname | $c | $rps | $p50 | $p99 | ${non2xx:-0} / ${sock:-0} | ${CPU_SRV[$key]} | ${CPU_PG[$key]} | ${other}% |")
  say "$label, $sname, $c conns: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx ${non2xx:-0}, socket errors ${sock:-0}, other load ${other}%"
}

A="/v1/communities/$ANNA"
doc_params="p1=$ANNA&p2=true&p3=$coord_id&p4=$cert_days&p5=$hr" # hr_get as the coordinator's request runs it
# List page, limit=20 (+1 for the next cursor), first page: the keyset bounds the server passes
# (src/paging.h, paging_param_*) when there is no cursor or updated_since.
page_params="p1=$ANNA&p2=true&p3=$coord_id&p4=$cert_days&p5=-infinity&p6=-infinity&p7=00000000-0000-0000-0000-000000000000&p8=21"
# The peers must serve the very page the server does, or the list ratio compares nothing.
want=$(api "$(login "$COORD_EMAIL")" GET "$A/help-requests?limit=20" | json_get 'j.items.length + (j.next_cursor ? 1 : 0)')
got=$(node "$repo/bench/http.mjs" GET "http://127.0.0.1:$bare_port/stmt/$list_stmt?$page_params" - - --get 'j.length')
[ "$got" = "$want" ] || die "the bare peer's $list_stmt returned $got rows where the server's page has $want: check page_params"
# With Noaber's context the bare peer must answer the same document as without it.
bare_doc=$(node "$repo/bench/http.mjs" GET "http://127.0.0.1:$bare_port/doc/hr_get?$doc_params" - -) || die "the bare peer's hr_get failed"
context_doc=$(node "$repo/bench/http.mjs" GET "http://127.0.0.1:$context_port/doc/hr_get?$doc_params" - -) \
  || die "the bare peer with Noaber's context failed on hr_get: $(tail -n 3 "$tmp/bare-context.log")"
[ "$bare_doc" = "$context_doc" ] || die "the bare peer with Noaber's context answered a different hr_get document"
for c in "${conns_list[@]}"; do
  measure "doc_coord@$c" "GET help request, coordinator" noaber "$server_pid" "$c" "$base$A/help-requests/$hr" "$(login "$COORD_EMAIL")"
  measure "doc_vol@$c" "GET help request, matched volunteer" noaber "$server_pid" "$c" "$base$A/help-requests/$vol_hr" "$(login "$VOL_EMAIL")"
  measure "doc_res@$c" "GET help request, resident" noaber "$server_pid" "$c" "$base$A/help-requests/$res_hr" "$(login "$RES_EMAIL")"
  measure "list@$c" "GET help-requests?limit=20, coordinator" noaber "$server_pid" "$c" "$base$A/help-requests?limit=20" "$(login "$COORD_EMAIL")"
  measure "me@$c" "GET /v1/me, coordinator" noaber "$server_pid" "$c" "$base/v1/me" "$(login "$COORD_EMAIL")"
  measure "tasks@$c" "GET /v1/me/tasks, volunteer" noaber "$server_pid" "$c" "$base/v1/me/tasks" "$(login "$VOL_EMAIL")"
  measure "case@$c" "GET case, coordinator (lead)" noaber "$server_pid" "$c" "$base$A/cases/$case_id" "$(login "$COORD_EMAIL")"
  measure "timeline@$c" "GET case timeline, coordinator" noaber "$server_pid" "$c" "$base$A/cases/$case_id/timeline" "$(login "$COORD_EMAIL")"
  if [ "$c" = "${conns_list[0]}" ]; then
    # The small community's own lists: as fast beside a big Anna Zorgt (10k, 1m) as without (small).
    measure "tud_list@$c" "Tot uw Dienst: GET help-requests?limit=20, coordinator" noaber "$server_pid" "$c" \
      "$base/v1/communities/$TUD/help-requests?limit=20" "$(login "$TUD_EMAIL")"
    measure "tud_members@$c" "Tot uw Dienst: GET members?limit=20, coordinator" noaber "$server_pid" "$c" \
      "$base/v1/communities/$TUD/members?limit=20" "$(login "$TUD_EMAIL")"
  fi
  measure "doc_quiet@$c" "GET help request, coordinator" "noaber, log level warning" "$quiet_pid" "$c" \
    "http://127.0.0.1:$quiet_port$A/help-requests/$hr" "$(base=http://127.0.0.1:$quiet_port login "$COORD_EMAIL")"
  measure "bare_row@$c" "single-row SELECT by id" bare "$bare_pid" "$c" "http://127.0.0.1:$bare_port/row/$hr?community=$ANNA"
  measure "bare_doc@$c" "hr_get (help request document)" bare "$bare_pid" "$c" "http://127.0.0.1:$bare_port/doc/hr_get?$doc_params"
  measure "bare_list@$c" "$list_stmt (list page of 20)" bare "$bare_pid" "$c" "http://127.0.0.1:$bare_port/stmt/$list_stmt?$page_params"
  measure "context_doc@$c" "hr_get, with Noaber's context, roles check and RLS" "bare + context" "$context_pid" "$c" \
    "http://127.0.0.1:$context_port/doc/hr_get?$doc_params"
  measure "fastify_doc@$c" "hr_get (help request document)" fastify "$fastify_pid" "$c" "http://127.0.0.1:$fastify_port/doc/hr_get?$doc_params"
done

# Noaber's memory under many connections: VmRSS sampled during a run, and the peak (VmHWM).
rss_of() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
rss_idle=$(rss_of VmRSS)
rss_max=0
coord=$(login "$COORD_EMAIL")
wrk -t2 -c"$rss_conns" -d"${duration}s" --timeout 5s --latency -H "Authorization: Bearer $coord" \
  "$base$A/help-requests/$hr" >"$tmp/wrk-rss.log" 2>&1 &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
  r=$(rss_of VmRSS)
  [ "${r:-0}" -le "$rss_max" ] || rss_max=$r
  sleep 0.2
done
wait "$wrk_pid" || die "wrk failed during the RSS run: $(cat "$tmp/wrk-rss.log")"
rss_hwm=$(rss_of VmHWM)
rss_rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$tmp/wrk-rss.log")
rss_p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$tmp/wrk-rss.log")")
rss_bad=$(awk '/Non-2xx or 3xx responses:/ { n = $NF } /Socket errors:/ { gsub(",", ""); s = $4 + $6 + $8 + $10 } END { print n + 0 " / " s + 0 }' "$tmp/wrk-rss.log")
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
say "RSS at $rss_conns conns: max VmRSS $(mb "$rss_max") MB (idle $(mb "$rss_idle") MB, VmHWM $(mb "$rss_hwm") MB); $rss_rps req/s, p99 $rss_p99 ms"

# ---- report --------------------------------------------------------------------------------
ratio() { awk -v a="${RPS[$1]:-0}" -v b="${RPS[$2]:-0}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { [ "$1" = 1 ] && echo PASS || echo FAIL; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
hi=${conns_list[${#conns_list[@]} - 1]}
ratio_rows=()
same_sql() { # LABEL NOABER_KEY PEER_KEY: >= 0.8x at the highest connection count, 0 errors, p99 <= 2x
  local c r pass
  for c in "${conns_list[@]}"; do
    r=$(ratio "$2@$c" "$3@$c")
    pass=-
    if [ "$c" = "$hi" ]; then
      pass=0
      ge "$r" 0.8 && [ "${BAD[$2@$c]}" = 0 ] && ge "$(awk -v p="${P99[$3@$c]}" 'BEGIN { print 2 * p }')" "${P99[$2@$c]}" && pass=1
      pass="$(verdict "$pass") (target >= 0.8x, 0 errors, p99 ${P99[$2@$c]} <= 2 x ${P99[$3@$c]} ms)"
    fi
    ratio_rows+=("| $1 | $c | ${r}x | $pass |")
  done
}
simple() { # LABEL NOABER_KEY PEER_KEY TARGET
  local c r pass
  for c in "${conns_list[@]}"; do
    r=$(ratio "$2@$c" "$3@$c")
    pass=-
    if [ "$c" = "$hi" ] && [ "$4" != - ]; then
      pass=0
      ge "$r" "$4" && pass=1
      pass="$(verdict "$pass") (target >= ${4}x)"
    fi
    ratio_rows+=("| $1 | $c | ${r}x | $pass |")
  done
}
same_sql "Noaber doc GET vs bare, same SQL (hr_get)" doc_coord bare_doc
same_sql "Noaber list page vs bare, same SQL ($list_stmt)" list bare_list
simple "Noaber doc GET vs Fastify, same SQL (hr_get)" doc_coord fastify_doc 1.5
simple "Noaber doc GET vs bare single-row GET" doc_coord bare_row 0.4
simple "Noaber doc GET, log level info vs warning" doc_coord doc_quiet -
simple "Bare + context vs bare, same SQL (hr_get): the most the first ratio can reach with isolation in the database" context_doc bare_doc -
simple "Noaber doc GET vs bare + context (hr_get): Noaber's HTTP layer" doc_coord context_doc -
rss_pass=0
[ "$rss_max" -le $((64 * 1024)) ] && rss_pass=1

report=$(cat <<EOF
## \`$section\`: scale \`$scale\`, measured $(date -u +%Y-%m-%dT%H:%MZ)

- Source: $BENCH_SOURCE
- Machine: $(machine_line); server, peers, database and wrk on the same machine, over loopback
- Command: \`BENCH_SCALE=$scale bench/http-bench.sh BUILD_DIR\` (\`make bench-http\`); wrk 4.1 \`-t2\`, ${warmup} s warm-up then ${duration} s measured per run, keep-alive, \`--latency\`, fresh token per Noaber run
- Data (Anna Zorgt): $n_members members, $n_requests help requests, $n_occ occurrences; loaded and VACUUM ANALYZEd in ${load_s} s
- Noaber: NOABER_HTTP_THREADS ${NOABER_HTTP_THREADS:-16}, NOABER_DB_POOL_SIZE ${NOABER_DB_POOL_SIZE:-8}, log level ${NOABER_LOG_LEVEL:-info} (info: one JSON line per request, here to a file), DATABASE_URL over the unix socket, RLS forced, non-owner role
- Peers: bare = Ulfius + libpq, 8 epoll threads, 8 prepared connections, no auth, no logging; fastify = Fastify + pg, one process, pg.Pool of 8; both run Noaber's own SQL (\`noaber statements\`) as a BYPASSRLS role over the same socket with the coordinator's parameters; bare + context = the bare peer as Noaber's own role, each statement pipelined behind Noaber's context statement and roles check (\`BARE_CONTEXT\`), so row-level security applies as in Noaber
- The story: $offer_note (offer taken from the coordinator's GET .../offers); the case has $n_timeline timeline entries
- CPU µs/req: CPU time of the serving process and of all PostgreSQL processes during the run, per answered request (wrk's own CPU not included). "Other load": busy CPU of anything else, as a share of both cores; more than a few percent disturbs the figures

| what | server | conns | req/s | p50 ms | p99 ms | non-2xx / socket errors | server CPU µs/req | PostgreSQL CPU µs/req | other load |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")

| ratio (req/s) | conns | ratio | target |
|---|---:|---:|---|
$(printf '%s\n' "${ratio_rows[@]}")

Memory: noaber's VmRSS during a ${duration} s run at $rss_conns connections (GET help request,
coordinator): max **$(mb "$rss_max") MB** — $(verdict "$rss_pass") (target <= 64 MB); idle before it
$(mb "$rss_idle") MB, peak over the whole benchmark (VmHWM) $(mb "$rss_hwm") MB; that run: $rss_rps req/s,
p99 $rss_p99 ms, non-2xx / socket errors $rss_bad.
EOF
)
echo
echo "$report"
if [ -n "$results" ]; then
  printf '%s\n\n' "$report" >"$tmp/report.md" # the blank line keeps the next marker apart
  if ! grep -qxF "<!-- bench-http:start -->" "$results" 2>/dev/null; then
    # shellcheck disable=SC2016 # backquotes are Markdown here
    printf '# HTTP benchmark\n\n`make bench-http` (bench/http-bench.sh): Noaber against bare peers on the same PostgreSQL, one sub-section per `BENCH_SECTION` (default: the scale).\n\n' >"$tmp/head.md"
    results_replace "$results" "<!-- bench-http:start -->" "<!-- bench-http:end -->" "$tmp/head.md"
  fi
  results_replace "$results" "<!-- bench-http:$section:start -->" "<!-- bench-http:$section:end -->" "$tmp/report.md" \
    "<!-- bench-http:end -->"
  say "written to $results"
fi
ok=1
