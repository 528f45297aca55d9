/*
 * When the desk next opens (desk_next_opening, sql/functions/desk_hours.sql), the one place it is
 * computed: against the test database as the schema owner (NOABER_MIGRATION_DATABASE_URL). The
 * slots are Europe/Amsterdam wall times, so a slot stays at 09:00 across a change of the clocks.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/db/db.h"
#include "suites.h"

#define TUESDAY "[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}]"
#define TUESDAY_THURSDAY                                                                                               \
  "[{\"day\": \"tuesday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}, "                                             \
  "{\"day\": \"thursday\", \"opens\": \"09:00\", \"closes\": \"12:00\"}]"

START_TEST(next_opening) {
  static const struct {
    const char *what, *slots, *closed, *at, *expected; /* expected NULL: open now, or never */
  } cases[] = {
      {"summer time: Saturday to Tuesday 09:00 CEST", TUESDAY, "{}", "2026-10-17 12:00+00", "2026-10-20 07:00+00"},
      {"the week the clocks go back: 09:00 CET", TUESDAY, "{}", "2026-10-24 12:00+00", "2026-10-27 08:00+00"},
      {"the week the clocks go forward: 09:00 CEST", TUESDAY, "{}", "2026-03-28 12:00+00", "2026-03-31 07:00+00"},
      {"inside a slot: open", TUESDAY, "{}", "2026-10-27 09:00+00", NULL},
      {"at the opening itself: open", TUESDAY, "{}", "2026-10-27 08:00+00", NULL},
      {"at the closing: closed, a week later", TUESDAY, "{}", "2026-10-27 11:00+00", "2026-11-03 08:00+00"},
      {"before the opening the same day", TUESDAY, "{}", "2026-10-27 06:00+00", "2026-10-27 08:00+00"},
      {"a closed date is skipped", TUESDAY_THURSDAY, "{2026-12-24}", "2026-12-22 12:00+00", "2026-12-29 08:00+00"},
      {"inside a slot on a closed date: closed", TUESDAY_THURSDAY, "{2026-12-24}", "2026-12-24 09:30+00",
       "2026-12-29 08:00+00"},
      {"no slots: always open", "[]", "{}", "2026-12-22 12:00+00", NULL},
      {"Tuesday 23:30 UTC is Wednesday 00:30 in Amsterdam: open",
       "[{\"day\": \"wednesday\", \"opens\": \"00:00\", "
       "\"closes\": \"01:00\"}]",
       "{}", "2026-12-08 23:30+00", NULL},
  };
  PGconn *pg = PQconnectdb(getenv("NOABER_MIGRATION_DATABASE_URL"));
  ck_assert_msg(PQstatus(pg) == CONNECTION_OK, "%s", PQerrorMessage(pg));
  /* The session's time zone plays no part: the slots are Amsterdam's. */
  PQclear(PQexec(pg, "SET TimeZone = 'UTC'"));
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *params[4] = {cases[i].slots, cases[i].closed, cases[i].at, cases[i].expected};
    PGresult *res = PQexecParams(pg,
                                 "SELECT desk_next_opening($1::jsonb, $2::date[], $3::timestamptz) "
                                 "IS NOT DISTINCT FROM $4::timestamptz, desk_next_opening($1::jsonb, $2::date[], "
                                 "$3::timestamptz)::text",
                                 4, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", cases[i].what, PQresultErrorMessage(res));
    ck_assert_msg(PQgetvalue(res, 0, 0)[0] == 't', "%s: %s, expected %s", cases[i].what, PQgetvalue(res, 0, 1),
                  cases[i].expected != NULL ? cases[i].expected : "NULL");
    PQclear(res);
  }
  PQfinish(pg);
}
END_TEST

TCase *desk_hours_tcase(void) {
  TCase *tc = tcase_create("desk hours");
  tcase_add_test(tc, next_opening);
  return tc;
}
