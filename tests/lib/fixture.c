#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"

struct fixture fx;

/* FIXTURE_PASSWORD hashed by fixture_prepare(); every fixture member gets it. */
static char password_hash[crypto_pwhash_STRBYTES];

/* What seed-demo writes (src/seed.c), in the same order. */
static const struct {
  const char *code, *nl, *en, *in_home, *may_recur, *max_per_month, *max_minutes;
  const char *referral_name, *referral_contact;
} categories[] = {
    {"shopping", "Boodschappen", "Shopping", "false", "true", NULL, "180", NULL, NULL},
    {"transport", "Vervoer", "Transport", "false", "true", NULL, "240", "Regiotaxi", "0900-0000000"},
    {"odd_jobs", "Klusjes", "Odd jobs", "true", "false", NULL, "240", "Klusbedrijf in de buurt", ""},
    {"garden", "Tuin", "Garden", "false", "false", NULL, "180", "Hoveniersbedrijf in de buurt", ""},
    {"visit", "Bezoek en gezelschap", "Visit and company", "true", "true", "8", "180", NULL, NULL},
    {"paperwork", "Administratie", "Paperwork", "true", "true", "4", "120", "Formulierenbrigade", ""},
    {"meals", "Maaltijden", "Meals", "false", "true", "12", "120", NULL, NULL},
};

/* Weekdays 09:00-17:00 as minutes of the week, as in the demo. */
#define WEEKDAYS "{[540,1020),[1980,2460),[3420,3900),[4860,5340),[6300,6780)}"

static long env_long(const char *name, long fallback) {
  const char *v = getenv(name);
  if (v == NULL || v[0] == '\0') return fallback;
  char *end;
  long n = strtol(v, &end, 10);
  return *end == '\0' ? n : fallback;
}

int fixture_prepare(void) {
  if (sodium_init() < 0) {
    fprintf(stderr, "fixture: sodium_init failed\n");
    return -1;
  }
  long ops = env_long("NOABER_ARGON2_OPSLIMIT", crypto_pwhash_OPSLIMIT_INTERACTIVE);
  long kib = env_long("NOABER_ARGON2_MEMLIMIT_KIB", crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024);
  if (crypto_pwhash_str(password_hash, FIXTURE_PASSWORD, strlen(FIXTURE_PASSWORD), (unsigned long long)ops,
                        (size_t)kib * 1024) != 0) {
    fprintf(stderr, "fixture: cannot hash the password (opslimit %ld, %ld KiB)\n", ops, kib);
    return -1;
  }
  return 0;
}

/* Copies src into dst (an array); fails the test when it does not fit. */
#define COPY(dst, src) ck_assert_msg(snprintf((dst), sizeof(dst), "%s", (src)) < (int)sizeof(dst), "%s", (src))

static void insert_community(PGconn *c, struct fixture_community *out, const char *slug, const char *name,
                             const char *place) {
  const char *p[] = {slug, name, place};
  PGresult *r = db_exec(c,
                        "INSERT INTO communities (slug, name, place) VALUES ($1, $2, $3)"
                        " RETURNING id",
                        3, p);
  COPY(out->id, PQgetvalue(r, 0, 0));
  PQclear(r);
  COPY(out->slug, slug);
  COPY(out->name, name);
  ck_assert(snprintf(out->path, sizeof out->path, "/v1/communities/%s", out->id) < (int)sizeof out->path);
}

static void insert_person(PGconn *c, struct fixture_member *out, const char *local, const char *domain, const char *tag,
                          const char *name, const char *phone) {
  char email[sizeof out->email];
  ck_assert(snprintf(email, sizeof email, "%s-%s@%s", local, tag, domain) < (int)sizeof email);
  const char *p[] = {email, name, password_hash, phone};
  PGresult *r = db_exec(c,
                        "INSERT INTO persons (email, display_name, password_hash, phone)"
                        " VALUES ($1, $2, $3, $4) RETURNING id",
                        4, p);
  COPY(out->id, PQgetvalue(r, 0, 0));
  PQclear(r);
  COPY(out->email, email);
  COPY(out->name, name);
}

static void insert_membership(PGconn *c, const struct fixture_community *community, const struct fixture_member *m,
                              const char *roles) {
  const char *p[] = {community->id, m->id, roles};
  PQclear(db_exec(c,
                  "INSERT INTO memberships (community_id, person_id, roles)"
                  " VALUES ($1, $2, $3::member_role[])",
                  3, p));
}

static void insert_categories(PGconn *c, const struct fixture_community *community) {
  for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++) {
    const char *p[] = {community->id,
                       categories[i].code,
                       categories[i].nl,
                       categories[i].en,
                       categories[i].in_home,
                       categories[i].may_recur,
                       categories[i].max_per_month,
                       categories[i].max_minutes,
                       categories[i].referral_name,
                       categories[i].referral_contact};
    PQclear(db_exec(c,
                    "INSERT INTO categories (community_id, code, label_nl, label_en,"
                    " in_home, may_recur, max_per_month, max_duration_minutes,"
                    " referral_name, referral_contact)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    10, p));
  }
}

/* A profile as the demo's: weekdays 9-17, 10 km, 4 hours, Dutch, code of conduct accepted;
 * a certificate issued 30 days ago and checked by `checker` when checker is not NULL. */
static void insert_profile(PGconn *c, const struct fixture_community *community, const struct fixture_member *m,
                           const char *skills, const char *lat, const char *lon, const char *checker) {
  const char *p[] = {community->id, m->id, skills, lat, lon, checker};
  PQclear(db_exec(c,
                  "INSERT INTO volunteer_profiles (community_id, person_id, skills,"
                  " availability, home_lat, home_lon, travel_km, capacity_hours, languages,"
                  " code_of_conduct_accepted_at, certificate_issued_on,"
                  " certificate_checked_by, certificate_checked_at)"
                  " SELECT $1, $2, (SELECT array_agg(id ORDER BY code) FROM categories"
                  "   WHERE community_id = $1 AND code = ANY ($3::text[])),"
                  " '" WEEKDAYS "', $4, $5, 10, 4, '{nl}', now(),"
                  " CASE WHEN $6::uuid IS NOT NULL THEN community_today() - 30 END, $6::uuid,"
                  " CASE WHEN $6::uuid IS NOT NULL THEN now() END",
                  6, p));
}

void fixture_build(PGconn *owner, struct fixture *f) {
  memset(f, 0, sizeof *f);
  db_run(owner, "BEGIN");
  /* 48 random bits tell this fixture's slugs and addresses from every other's */
  PGresult *r = db_exec(owner, "SELECT left(replace(gen_random_uuid()::text, '-', ''), 12)", 0, NULL);
  char tag[16];
  COPY(tag, PQgetvalue(r, 0, 0));
  PQclear(r);

  char slug[64];
  snprintf(slug, sizeof slug, "anna-zorgt-%s", tag);
  insert_community(owner, &f->anna, slug, "Anna Zorgt", "Sint Annaland");
  snprintf(slug, sizeof slug, "tot-uw-dienst-%s", tag);
  insert_community(owner, &f->tot, slug, "Tot uw Dienst", "Laarbeek");

  const char *anna = "anna-zorgt.test", *tot = "tot-uw-dienst.test";
  insert_person(owner, &f->coordinator, "coordinator", anna, tag, "Coördinator Anna Zorgt", "+31 6 0000 0001");
  insert_person(owner, &f->volunteer1, "volunteer1", anna, tag, "Vrijwilliger Een", "+31 6 0000 0002");
  insert_person(owner, &f->volunteer2, "volunteer2", anna, tag, "Vrijwilliger Twee", "+31 6 0000 0003");
  insert_person(owner, &f->resident1, "resident1", anna, tag, "Inwoner Een", "+31 6 0000 0004");
  insert_person(owner, &f->resident2, "resident2", anna, tag, "Inwoner Twee", "+31 6 0000 0005");
  insert_person(owner, &f->professional, "professional", "wijkteam.test", tag, "Professional Wijkteam",
                "+31 6 0000 0006");
  insert_person(owner, &f->tot_coordinator, "coordinator", tot, tag, "Coördinator Tot uw Dienst", "+31 6 0000 0007");

  insert_membership(owner, &f->anna, &f->coordinator, "{coordinator}");
  insert_membership(owner, &f->anna, &f->volunteer1, "{volunteer}");
  insert_membership(owner, &f->anna, &f->volunteer2, "{volunteer}");
  insert_membership(owner, &f->anna, &f->resident1, "{resident}");
  insert_membership(owner, &f->anna, &f->resident2, "{resident,volunteer}");
  insert_membership(owner, &f->anna, &f->professional, "{professional}");
  insert_membership(owner, &f->tot, &f->professional, "{professional}");
  insert_membership(owner, &f->tot, &f->tot_coordinator, "{coordinator}");

  insert_categories(owner, &f->anna);
  insert_categories(owner, &f->tot);

  insert_profile(owner, &f->anna, &f->volunteer1, "{shopping,transport,odd_jobs,garden,visit,paperwork,meals}",
                 "51.6120", "4.1050", f->coordinator.id);
  insert_profile(owner, &f->anna, &f->volunteer2, "{shopping,transport,garden,meals}", "51.6080", "4.1120", NULL);
  insert_profile(owner, &f->anna, &f->resident2, "{shopping,transport}", "51.6150", "4.0990", NULL);
  db_run(owner, "COMMIT");
}

void fixture_setup(void) {
  PGconn *c = db_connect(env_required("NOABER_TEST_OWNER_DSN"));
  fixture_build(c, &fx);
  PQfinish(c);
}

TCase *fixture_tcase(const char *name, int timeout_s) {
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, timeout_s);
  tcase_add_checked_fixture(tc, fixture_setup, NULL);
  return tc;
}

char *fixture_login(const struct fixture_member *m) { return login_access(m->email, FIXTURE_PASSWORD); }

char *community_path(char *buf, size_t len, const struct fixture_community *c, const char *suffix) {
  ck_assert_msg(snprintf(buf, len, "%s%s", c->path, suffix) < (int)len, "path too long");
  return buf;
}
