/* Demo data: Anna Zorgt (Sint Annaland) and Tot uw Dienst (Laarbeek). */
#include "seed.h"

#include <orcania.h>
#include <string.h>

#include "auth.h"
#include "log.h"

#define ANNA "00000000-0000-4000-8000-00000000a001"
#define TUD "00000000-0000-4000-8000-00000000b001"
#define DEMO_PASSWORD "noaber-demo"

static const struct {
  const char *id, *slug, *name, *place;
} communities[] = {
    {ANNA, "anna-zorgt", "Anna Zorgt", "Sint Annaland"},
    {TUD, "tot-uw-dienst", "Tot uw Dienst", "Laarbeek"},
};

static const struct {
  const char *id, *email, *name;
} people[] = {
    {"00000000-0000-4000-8000-000000000101", "coordinator@anna-zorgt.example", "Coördinator Anna Zorgt"},
    {"00000000-0000-4000-8000-000000000102", "volunteer1@anna-zorgt.example", "Vrijwilliger Een"},
    {"00000000-0000-4000-8000-000000000103", "volunteer2@anna-zorgt.example", "Vrijwilliger Twee"},
    {"00000000-0000-4000-8000-000000000104", "resident1@anna-zorgt.example", "Inwoner Een"},
    {"00000000-0000-4000-8000-000000000105", "resident2@anna-zorgt.example", "Inwoner Twee"},
    {"00000000-0000-4000-8000-000000000106", "professional@wijkteam.example", "Professional Wijkteam"},
    {"00000000-0000-4000-8000-000000000107", "coordinator@tot-uw-dienst.example", "Coördinator Tot uw Dienst"},
};

static const struct {
  const char *community, *person, *roles;
} memberships[] = {
    {ANNA, "00000000-0000-4000-8000-000000000101", "{coordinator}"},
    {ANNA, "00000000-0000-4000-8000-000000000102", "{volunteer}"},
    {ANNA, "00000000-0000-4000-8000-000000000103", "{volunteer}"},
    {ANNA, "00000000-0000-4000-8000-000000000104", "{resident}"},
    {ANNA, "00000000-0000-4000-8000-000000000105", "{resident,volunteer}"},
    {ANNA, "00000000-0000-4000-8000-000000000106", "{professional}"},
    {TUD, "00000000-0000-4000-8000-000000000106", "{professional}"},
    {TUD, "00000000-0000-4000-8000-000000000107", "{coordinator}"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int exec(PGconn *pg, const char *sql, int n, const char *const *params) {
  PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(res);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok)
    log_event(LOG_ERROR, NULL, "seed_failed",
              json_pack("{s:s?, s:s?}", "sqlstate", PQresultErrorField(res, PG_DIAG_SQLSTATE), "message",
                        PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)));
  PQclear(res);
  return ok ? 0 : -1;
}

static int set_context(PGconn *pg, const char *community, const char *email) {
  const char *params[2] = {community, email};
  return exec(pg, "SELECT set_config('app.community_id', $1, true), set_config('app.lookup_email', $2, true)", 2,
              params);
}

int seed_demo(PGconn *pg) {
  if (exec(pg, "BEGIN", 0, NULL) != 0) return -1;
  int ok = 1;
  for (size_t i = 0; ok && i < COUNT(communities); i++) {
    const char *params[4] = {communities[i].id, communities[i].slug, communities[i].name, communities[i].place};
    ok = set_context(pg, communities[i].id, "") == 0 &&
         exec(pg, "INSERT INTO communities (id, slug, name, place) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4,
              params) == 0;
  }
  for (size_t i = 0; ok && i < COUNT(people); i++) {
    char *hash = auth_hash_password(DEMO_PASSWORD);
    const char *params[4] = {people[i].id, people[i].email, people[i].name, hash};
    ok = hash != NULL && set_context(pg, "", people[i].email) == 0 &&
         exec(pg,
              "INSERT INTO persons (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4) "
              "ON CONFLICT DO NOTHING",
              4, params) == 0;
    o_free(hash);
  }
  for (size_t i = 0; ok && i < COUNT(memberships); i++) {
    const char *params[3] = {memberships[i].community, memberships[i].person, memberships[i].roles};
    ok = set_context(pg, memberships[i].community, "") == 0 &&
         exec(pg,
              "INSERT INTO memberships (community_id, person_id, roles) VALUES ($1, $2, $3::member_role[]) "
              "ON CONFLICT DO NOTHING",
              3, params) == 0;
  }
  if (!ok || exec(pg, "COMMIT", 0, NULL) != 0) {
    exec(pg, "ROLLBACK", 0, NULL);
    return -1;
  }
  log_event(LOG_INFO, NULL, "demo_seeded", json_pack("{s:i, s:i}", "communities", (int)COUNT(communities), "accounts",
                                                     (int)COUNT(people)));
  return 0;
}
