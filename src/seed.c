/* Demo data: Anna Zorgt (Sint Annaland) and Tot uw Dienst (Laarbeek). */
#include "seed.h"

#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "support/log.h"

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

static const struct {
  const char *code, *nl, *en, *in_home, *may_recur, *max_per_month, *max_minutes, *referral_name, *referral_contact;
} categories[] = {
    {"shopping", "Boodschappen", "Shopping", "false", "true", NULL, "180", NULL, NULL},
    {"transport", "Vervoer", "Transport", "false", "true", NULL, "240", "Regiotaxi", "0900-0000000"},
    {"odd_jobs", "Klusjes", "Odd jobs", "true", "false", NULL, "240", "Klusbedrijf in de buurt", ""},
    {"garden", "Tuin", "Garden", "false", "false", NULL, "180", "Hoveniersbedrijf in de buurt", ""},
    {"visit", "Bezoek en gezelschap", "Visit and company", "true", "true", "8", "180", NULL, NULL},
    {"paperwork", "Administratie", "Paperwork", "true", "true", "4", "120", "Formulierenbrigade", ""},
    {"meals", "Maaltijden", "Meals", "false", "true", "12", "120", NULL, NULL},
};

static const struct {
  const char *person, *skills, *lat, *lon, *certificate;
} profiles[] = {
    {"00000000-0000-4000-8000-000000000102",
     "[\"shopping\", \"transport\", \"odd_jobs\", \"garden\", \"visit\", \"paperwork\", \"meals\"]", "51.6120",
     "4.1050", "2026-01-15"},
    {"00000000-0000-4000-8000-000000000103", "[\"shopping\", \"transport\", \"garden\", \"meals\"]", "51.6080",
     "4.1120", NULL},
    {"00000000-0000-4000-8000-000000000105", "[\"shopping\", \"transport\"]", "51.6150", "4.0990", NULL},
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
  for (size_t c = 0; ok && c < COUNT(communities); c++) {
    ok = set_context(pg, communities[c].id, "") == 0;
    for (size_t i = 0; ok && i < COUNT(categories); i++) {
      const char *params[10] = {communities[c].id,
                                categories[i].code,
                                categories[i].nl,
                                categories[i].en,
                                categories[i].in_home,
                                categories[i].may_recur,
                                categories[i].max_per_month,
                                categories[i].max_minutes,
                                categories[i].referral_name,
                                categories[i].referral_contact};
      ok =
          exec(
              pg,
              "INSERT INTO categories (community_id, code, label_nl, label_en, in_home, may_recur, max_per_month, "
              "max_duration_minutes, referral_name, referral_contact) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
              "ON CONFLICT DO NOTHING",
              10, params) == 0;
    }
  }
  for (size_t i = 0; ok && i < COUNT(profiles); i++) {
    const char *params[6] = {
        ANNA, profiles[i].person, profiles[i].skills, profiles[i].lat, profiles[i].lon, profiles[i].certificate};
    ok = set_context(pg, ANNA, "") == 0 &&
         exec(pg,
              "INSERT INTO volunteer_profiles (community_id, person_id, skills, availability, home_lat, home_lon, "
              "travel_km, capacity_hours, languages, code_of_conduct_accepted_at, certificate_issued_on, "
              "certificate_checked_by, certificate_checked_at) "
              "SELECT $1, $2, (SELECT array_agg(id ORDER BY code) FROM categories WHERE community_id = $1 "
              "AND code IN (SELECT jsonb_array_elements_text($3::jsonb))), "
              /* weekdays 09:00-17:00, as minutes of the week */
              "'{[540,1020),[1980,2460),[3420,3900),[4860,5340),[6300,6780)}', "
              "$4, $5, 10, 4, '{nl}', now(), $6::date, "
              "CASE WHEN $6 IS NOT NULL THEN '00000000-0000-4000-8000-000000000101'::uuid END, "
              "CASE WHEN $6 IS NOT NULL THEN now() END ON CONFLICT DO NOTHING",
              6, params) == 0;
  }
  /* Anna Zorgt's desk is open two mornings a week (sql/migrations/0022_desk_hours.sql). */
  const char *anna[1] = {ANNA};
  ok = ok && set_context(pg, ANNA, "") == 0 &&
       exec(pg,
            "INSERT INTO desk_hours (community_id, slots) VALUES ($1, '[{\"day\": \"tuesday\", \"opens\": \"09:00\", "
            "\"closes\": \"12:00\"}, {\"day\": \"thursday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}]') "
            "ON CONFLICT DO NOTHING",
            1, anna) == 0;
  /* Phone numbers from a range that reaches nobody, shown to the matched volunteer only; in E.164,
   * as the API stores every number (src/phone.h). */
  for (size_t i = 0; ok && i < COUNT(people); i++) {
    char phone[32];
    snprintf(phone, sizeof phone, "+3160000%04zu", i + 1);
    const char *params[2] = {people[i].id, phone};
    ok = set_context(pg, "", people[i].email) == 0 &&
         exec(pg, "UPDATE persons SET phone = $2 WHERE id = $1 AND phone IS NULL", 2, params) == 0;
  }
  if (!ok || exec(pg, "COMMIT", 0, NULL) != 0) {
    exec(pg, "ROLLBACK", 0, NULL);
    return -1;
  }
  log_event(LOG_INFO, NULL, "demo_seeded",
            json_pack("{s:i, s:i}", "communities", (int)COUNT(communities), "accounts", (int)COUNT(people)));
  return 0;
}
