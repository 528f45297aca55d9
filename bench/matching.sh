#!/usr/bin/env bash
# Matching benchmark: how fast GET /v1/communities/{id}/help-requests/{id}/suggestions answers
# for a community with 10,000 volunteer profiles (targets of issue 7 on the 2-core box: p99 at
# most 20 ms sequential, at most 50 ms with 4 concurrent clients).
#
#   bench/matching.sh BUILD_DIR        (BUILD_DIR holds the noaber binary; `make bench` calls it)
#
# A throwaway PostgreSQL cluster on a free port (scripts/pg-cluster.sh), `noaber migrate` and
# `seed-demo`, synthetic data (bench/synthetic.sql: 10,000 volunteers, a few hundred residents,
# ~20,000 past occurrences) loaded as the schema owner, VACUUM ANALYZE, then the real server on a
# free loopback port. Three help requests are created through the API as the coordinator
# (bench/http.mjs) and their suggestions measured with bench/load.mjs: warm-up, N sequential
# requests per help request, then a concurrent run over all three. Prints a summary table and
# writes it between the bench-matching markers of bench/RESULTS.md. Needs node and PostgreSQL 15
# (as `make test`), nothing else. Shared helpers: bench/lib.sh.
# Everything stops on exit; the temporary directory is kept on failure or with BENCH_KEEP_TMP=1.
#
# Knobs (environment): BENCH_VOLUNTEERS (10000), BENCH_RESIDENTS (300), BENCH_PAST_REQUESTS
# (7500 one-off past requests, plus a third as many weekly ones: ~20,000 occurrences),
# BENCH_N (2000 measured requests per run), BENCH_WARMUP (200), BENCH_CLIENTS (4, concurrent
# run), BENCH_LIMIT (10, the `limit` of the measured calls), BENCH_MAX_SECONDS (120 per run),
# BENCH_RESULTS (bench/RESULTS.md; empty: do not write), BENCH_EXTRA_SQL (a file run as the
# schema owner after the data is loaded, to try a schema change without a migration).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd) || exit 2
bin="$build/noaber"
[ -x "$bin" ] || { echo "bench: missing $bin (build it first)" >&2; exit 2; }
command -v node >/dev/null || { echo "bench: node is needed (bench/load.mjs, bench/http.mjs)" >&2; exit 2; }

volunteers=${BENCH_VOLUNTEERS:-10000}
residents=${BENCH_RESIDENTS:-300}
past_requests=${BENCH_PAST_REQUESTS:-7500}
n=${BENCH_N:-2000}
warmup=${BENCH_WARMUP:-200}
clients=${BENCH_CLIENTS:-4}
limit=${BENCH_LIMIT:-10}
max_seconds=${BENCH_MAX_SECONDS:-120}
results=${BENCH_RESULTS-$repo/bench/RESULTS.md}
target_ms=20      # sequential p99
conc_target_ms=50 # p99 with BENCH_CLIENTS concurrent clients

ANNA=00000000-0000-4000-8000-00000000a001
COORDINATOR=00000000-0000-4000-8000-000000000101
CERT_DAYS=${NOABER_CERTIFICATE_VALID_DAYS:-1095}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/noaber-bench.XXXXXX")
chmod 755 "$tmp" # the cluster runs as user postgres when we are root
bench_tag=bench
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
server_pid=""
ok=0

cleanup() {
  stop_pid "$server_pid"
  bench_pg_stop
  if [ "$ok" = 1 ] && [ "${BENCH_KEEP_TMP:-0}" != 1 ]; then
    rm -rf "$tmp"
  else
    echo "bench: files kept in $tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU accounting, to tell whether something else ran on the machine during a run: all busy
# and all idle jiffies (/proc/stat), and the jiffies of the server and this cluster's processes.
# "Other load" = busy time of the machine minus ours (server, PostgreSQL, load client), as a
# percentage of the run's total core time.
cpu_all() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
cpu_ours() {
  local pm pids p sum=0 t
  pm=$(head -n 1 "$pgdir/data/postmaster.pid" 2>/dev/null)
  pids="$server_pid $pm $(pgrep -P "$pm" 2>/dev/null | tr '\n' ' ')"
  for p in $pids; do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}

# SQL as the schema owner, inside one transaction with the community context (RLS is forced).
owner_sql() {
  printf "BEGIN;\nSELECT set_config('app.community_id', '%s', true) \\g /dev/null\n%s;\nCOMMIT;\n" "$ANNA" "$1" |
    "$psql_bin" -X -q -t -A -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL"
}
# SQL as the server's role with the context a coordinator's request has.
app_sql() {
  printf "BEGIN;\nSELECT set_config('app.person_id', '%s', true), set_config('app.community_id', '%s', true), set_config('app.roles', 'coordinator', true) \\g /dev/null\n%s;\nCOMMIT;\n" \
    "$COORDINATOR" "$ANNA" "$1" | "$psql_bin" -X -q -t -A -v ON_ERROR_STOP=1 "$DATABASE_URL"
}

bench_pg_start

"$bin" migrate >"$tmp/migrate.log" 2>&1 && "$bin" seed-demo >>"$tmp/migrate.log" 2>&1 \
  || { cat "$tmp/migrate.log" >&2; die "migrate / seed-demo failed"; }

say "loading synthetic data: $volunteers volunteers, $residents residents, ~$((past_requests * 8 / 3)) past occurrences"
t0=$(date +%s.%N)
"$psql_bin" -X -q -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL" \
  -v community="$ANNA" -v coordinator="$COORDINATOR" -v volunteers="$volunteers" \
  -v residents="$residents" -v requests="$past_requests" \
  -f "$repo/bench/synthetic.sql" >"$tmp/synthetic.log" 2>&1 \
  || { cat "$tmp/synthetic.log" >&2; die "loading synthetic data failed"; }
extra_sql=${BENCH_EXTRA_SQL:-}
if [ -n "$extra_sql" ]; then
  say "applying $extra_sql"
  "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$NOABER_MIGRATION_DATABASE_URL" -f "$extra_sql" >>"$tmp/synthetic.log" 2>&1 \
    || { tail -n 20 "$tmp/synthetic.log" >&2; die "$extra_sql failed"; }
fi
# Flush the load's dirty pages now rather than in a checkpoint during the measurements.
"$psql_bin" -X -q "$(superuser_url)" -c CHECKPOINT >/dev/null 2>&1 \
  || say "CHECKPOINT failed (continuing)"
load_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
IFS='|' read -r n_profiles n_requests n_occ n_occ7 n_feedback <<<"$(owner_sql "SELECT
  (SELECT count(*) FROM volunteer_profiles), (SELECT count(*) FROM help_requests),
  (SELECT count(*) FROM occurrences), (SELECT count(*) FROM occurrences WHERE starts_at > now() - interval '7 days'),
  (SELECT count(*) FROM occurrences WHERE feedback_positive IS NOT NULL)")"
say "loaded in ${load_s}s: $n_profiles profiles, $n_requests help requests, $n_occ occurrences ($n_occ7 in the last 7 days, $n_feedback with feedback)"
# The resident with the longest history asks for help: continuity has the most to read.
resident=$(owner_sql "SELECT h.resident_id FROM help_requests h WHERE h.description LIKE 'Synthetische%'
                      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
[ -n "$resident" ] || die "no synthetic resident"

port=$(free_port)
NOABER_PORT=$port NOABER_DB_STATEMENT_TIMEOUT_MS=10000 "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
wait_healthy "$server_pid" "$port" "$tmp/server.log"
base="http://127.0.0.1:$port"
say "server up on $base (pid $server_pid)"

login() {
  node "$repo/bench/http.mjs" POST "$base/v1/auth/login" - \
    '{"email":"coordinator@anna-zorgt.example","password":"noaber-demo"}' --get j.access_token
}
api() { # METHOD PATH [BODY]: prints the body of a 2xx answer, else fails
  node "$repo/bench/http.mjs" "$1" "$base$2" "$token" "${3:--}"
}

token=$(login)
[ -n "$token" ] || die "login failed"
categories=$(api GET "/v1/communities/$ANNA/categories?limit=50")
cat_id() { json_get "j.items.find(c => c.code === '$1').id" <<<"$categories"; }

# Windows next week in Europe/Amsterdam, as RFC 3339 UTC.
IFS='|' read -r tue10 tue11 thu14 thu1530 due <<<"$(owner_sql "
  WITH w AS (SELECT date_trunc('week', (now() AT TIME ZONE 'Europe/Amsterdam') + interval '7 days') AS mon)
  SELECT to_char((mon + interval '1 day 10 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
         to_char((mon + interval '1 day 11 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
         to_char((mon + interval '3 days 14 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
         to_char((mon + interval '3 days 15 hours 30 minutes') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
         to_char((date_trunc('day', now() AT TIME ZONE 'Europe/Amsterdam') + interval '5 days 17 hours') AT TIME ZONE 'Europe/Amsterdam' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
  FROM w")"

names=(shopping visit garden)
labels=("shopping, Tue 10:00-11:00" "visit (in home), Thu 14:00-15:30" "garden, needed by in 5 days")
bodies=(
  "{\"category_id\":\"$(cat_id shopping)\",\"resident_id\":\"$resident\",\"description\":\"Boodschappen bij de supermarkt\",\"when\":{\"starts_at\":\"$tue10\",\"ends_at\":\"$tue11\"},\"recurrence\":null,\"place\":{\"address\":\"Voorstraat 12, Sint Annaland\",\"lat\":51.6101,\"lon\":4.1092},\"in_home\":false,\"urgency\":\"normal\"}"
  "{\"category_id\":\"$(cat_id visit)\",\"resident_id\":\"$resident\",\"description\":\"Kopje koffie en een praatje\",\"when\":{\"starts_at\":\"$thu14\",\"ends_at\":\"$thu1530\"},\"recurrence\":null,\"place\":{\"address\":\"Havenweg 3, Sint Annaland\",\"lat\":51.6142,\"lon\":4.1051},\"in_home\":true,\"urgency\":\"low\"}"
  "{\"category_id\":\"$(cat_id garden)\",\"resident_id\":\"$resident\",\"description\":\"Heg knippen voor de winter\",\"when\":{\"needed_by\":\"$due\"},\"recurrence\":null,\"place\":{\"address\":\"Kerkstraat 40, Sint Annaland\",\"lat\":51.6075,\"lon\":4.1130},\"in_home\":false,\"urgency\":\"normal\"}"
)
ids=()
for i in "${!bodies[@]}"; do
  id=$(api POST "/v1/communities/$ANNA/help-requests" "${bodies[$i]}" | json_get 'j.id') || die "creating ${names[$i]} failed"
  api POST "/v1/communities/$ANNA/help-requests/$id/actions/triage" '{"track":"informal"}' >/dev/null || die "triage failed"
  ids+=("$id")
done
url() { echo "$base/v1/communities/$ANNA/help-requests/$1/suggestions?limit=$2"; }

# Candidates per request: the skill alone, every hard filter in SQL, and what the API returns.
skilled=() eligible=() items=()
for i in "${!ids[@]}"; do
  skilled+=("$(app_sql "SELECT count(*) FROM volunteer_profiles v JOIN help_requests h ON h.community_id = v.community_id
                        AND v.skills @> ARRAY[h.category_id] WHERE h.community_id = '$ANNA' AND h.id = '${ids[$i]}'")")
  eligible+=("$(app_sql "SELECT count(*) FROM eligible_volunteers('$ANNA', '${ids[$i]}', $CERT_DAYS)")")
  items+=("$(api GET "/v1/communities/$ANNA/help-requests/${ids[$i]}/suggestions?limit=50" | json_get 'j.items.length')")
  say "${names[$i]}: ${skilled[$i]} with the skill, ${eligible[$i]} pass every hard filter, ${items[$i]} items at limit=50"
done

# Measured runs. A fresh token per run (access tokens live at most 15 minutes).
rows=()
failed=0
measure() { # LABEL CANDIDATES ITEMS CLIENTS URL
  local label=$1 cand=$2 its=$3 c=$4 u=$5 out bg all0 all1 ours0 ours1 hz
  token=$(login)
  say "run: $label, $n requests, $c client(s), $warmup warm-up"
  all0=$(cpu_all) ours0=$(cpu_ours)
  if ! out=$(node "$repo/bench/load.mjs" "$u" "$token" "$n" "$c" "$warmup" "$max_seconds"); then
    say "errors in run $label: $out"
    failed=1
  fi
  all1=$(cpu_all) ours1=$(cpu_ours)
  [ -n "$out" ] || die "load.mjs printed nothing"
  hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  bg=$(json_get "(() => { const [b0, i0] = '$all0'.split(' ').map(Number), [b1, i1] = '$all1'.split(' ').map(Number);
    const other = (b1 - b0) - ($ours1 - $ours0) - j.cpu_ms * $hz / 1000, all = (b1 - b0) + (i1 - i0);
    return Math.max(0, Math.round(100 * other / all)); })()" <<<"$out")
  say "  p50 $(json_get j.p50_ms <<<"$out") ms, p99 $(json_get j.p99_ms <<<"$out") ms; other load during the run: ${bg}% of the CPU"
  rows+=("$(json_get "[\`$label\`, '$cand', '$its', j.requests, j.clients, j.p50_ms, j.p90_ms, j.p99_ms, j.max_ms, j.rps, j.errors, '$bg'].join('|')" <<<"$out")")
}
for i in "${!ids[@]}"; do
  measure "${labels[$i]}" "${eligible[$i]}" "${items[$i]}" 1 "$(url "${ids[$i]}" "$limit")"
done
# Concurrent: round-robin over the three requests, as several coordinators would.
all_urls=$(for i in "${!ids[@]}"; do url "${ids[$i]}" "$limit"; done | paste -sd, -)
measure "all three, round-robin" "$(IFS=/; echo "${eligible[*]}")" "$(IFS=/; echo "${items[*]}")" "$clients" "$all_urls"

worst_p99=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$5 == 1 && $8 > m { m = $8 } END { print m + 0 }')
conc_p99=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$5 > 1 { print $8 + 0 }')
verdict=$(awk -v p="$worst_p99" -v t="$target_ms" 'BEGIN { print (p <= t ? "MET" : "NOT MET") }')
conc_verdict=$(awk -v p="$conc_p99" -v t="$conc_target_ms" 'BEGIN { print (p <= t ? "MET" : "NOT MET") }')

busy_note=$(printf '%s\n' "${rows[@]}" | awk -F'|' '$12 > 10 { n++ } END { if (n) printf " — **%d run(s) ran alongside other load: rerun on a quiet machine**", n }')
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
pgver=$("$psql_bin" -X -t -A "$DATABASE_URL" -c "SHOW server_version" 2>/dev/null | awk '{ print $1 }')
table=$(
  echo "| help request | candidates (hard filters, SQL) | items (limit=50) | requests | clients | p50 ms | p90 ms | p99 ms | max ms | req/s | errors | other load |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do echo "| ${r//|/ | }% |"; done
)
report=$(cat <<EOF
# Matching benchmark

Suggestions (\`GET /v1/communities/{communityId}/help-requests/{helpRequestId}/suggestions?limit=$limit\`)
for the Anna Zorgt community with $n_profiles volunteer profiles. Targets on this machine: p99 at
most ${target_ms} ms for sequential requests — **$verdict** (worst sequential p99 ${worst_p99} ms);
at most ${conc_target_ms} ms with $clients concurrent clients — **$conc_verdict** (p99 ${conc_p99} ms).

- Date: $(date -u +%Y-%m-%dT%H:%MZ)
- Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr); PostgreSQL $pgver (throwaway cluster, default settings); server, database and load client on the same machine, over loopback
- Command: \`bench/matching.sh ${1}\` (\`make bench\`)${extra_sql:+, with \`BENCH_EXTRA_SQL=$extra_sql\` applied}
- Data: $n_profiles volunteer profiles (${volunteers} synthetic within ~15 km of Sint Annaland, random skills, weekly availability, 2-20 km, 1-10 h/week, ~10% paused, ~70% code of conduct, ~50% certificate), $residents residents, $n_requests past help requests, $n_occ done occurrences ($n_occ7 in the last 7 days, $n_feedback with feedback)
- Each run: $warmup warm-up requests, then $n measured (latency from sending the request to the last byte; nearest-rank percentiles), keep-alive connections, a fresh coordinator token
- Profiles with the skill (before the other filters): $(for i in "${!ids[@]}"; do printf '%s %s; ' "${names[$i]}" "${skilled[$i]}"; done)
- "Other load": CPU time used during the run by processes other than the server, this cluster
  and the load client, as a share of all cores; more than a few percent means the figures are
  disturbed${busy_note}

$table
EOF
)
echo
echo "$report"
if [ -n "$results" ]; then
  # Only this benchmark's section: bench/http-bench.sh writes its own in the same file.
  printf '%s\n' "$report" >"$tmp/report.md"
  results_replace "$results" "<!-- bench-matching:start -->" "<!-- bench-matching:end -->" "$tmp/report.md"
  say "written to $results"
fi
[ "$failed" = 0 ] || die "some requests failed"
ok=1
