/* Each test's own data: two fresh communities shaped like the demo's Anna Zorgt and Tot uw
 * Dienst (src/seed.c), with the same categories, members, roles, names, volunteer profiles and
 * phone numbers, but new ids, slugs and e-mail addresses. They are written through the owner
 * connection (NOABER_TEST_OWNER_DSN), so nothing another test does shows up in them: a test
 * asserts exact counts, and suites run alone and in any order.
 *
 * A TCase made with fixture_tcase() builds a new pair before each of its tests and leaves it in
 * `fx`. Members log in with FIXTURE_PASSWORD (fixture_login). Nothing here is freed: the
 * fixture lives in fixed-size arrays, which also lets file-scope tables point at its ids.
 */
#ifndef NOABER_TEST_FIXTURE_H
#define NOABER_TEST_FIXTURE_H

#include <check.h>
#include <libpq-fe.h>

#include "support.h"

/* The fixture's members log in with the password of people made through invitations. */
#define FIXTURE_PASSWORD TEST_PASSWORD

struct fixture_community {
  char id[37];
  char slug[64];
  char name[32];
  char path[64]; /* "/v1/communities/<id>" */
};

struct fixture_member {
  char id[37];
  char email[96];
  char name[48]; /* display name, as in the demo */
};

struct fixture {
  struct fixture_community anna;         /* 7 categories; the six members below but tot_coordinator */
  struct fixture_community tot;          /* 7 categories; tot_coordinator and the professional */
  struct fixture_member coordinator;     /* anna: coordinator */
  struct fixture_member volunteer1;      /* anna: volunteer, every skill, valid certificate */
  struct fixture_member volunteer2;      /* anna: volunteer, four skills, no certificate */
  struct fixture_member resident1;       /* anna: resident */
  struct fixture_member resident2;       /* anna: resident and volunteer (two skills) */
  struct fixture_member professional;    /* anna and tot: professional */
  struct fixture_member tot_coordinator; /* tot: coordinator */
};

/* The current test's fixture, filled by fixture_setup(). */
extern struct fixture fx;

/* Hashes FIXTURE_PASSWORD once, with the server's Argon2 settings (NOABER_ARGON2_OPSLIMIT,
 * NOABER_ARGON2_MEMLIMIT_KIB), so every fixture is cheap to make and logging in never rehashes.
 * Call it from main() before the suites run (forked tests inherit it). Returns 0, or -1 with a
 * message on stderr. */
int fixture_prepare(void);

/* Writes a new pair of communities with their members through `owner` (a superuser or owner
 * connection) and fills *f. Fails the test on any error. */
void fixture_build(PGconn *owner, struct fixture *f);

/* Checked fixture: fixture_build() on NOABER_TEST_OWNER_DSN into `fx`. */
void fixture_setup(void);

/* A TCase whose every test starts with a fixture of its own (tcase_create, the timeout in
 * seconds and fixture_setup as checked fixture). */
TCase *fixture_tcase(const char *name, int timeout_s);

/* Logs the member in (FIXTURE_PASSWORD) and returns the access token (owned). */
char *fixture_login(const struct fixture_member *m);

/* "<community path><suffix>" into buf; fails the test when it does not fit. Returns buf. */
char *community_path(char *buf, size_t len, const struct fixture_community *c, const char *suffix);

#endif
