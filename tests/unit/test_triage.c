/* Triage as data and the desk summary (issue 13): the CSV writer (RFC 4180), the period's days,
 * the summary as CSV. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/desk_summary.h"
#include "../../src/result.h"
#include "../../src/support/csv.h"
#include "suites.h"

/* One record of the given fields (NULL-terminated) as csv_field writes it. Owned. */
static char *one_record(const char *const *fields, char sep) {
  struct csv_text t = {0};
  for (size_t i = 0; fields[i] != NULL; i++) csv_field(&t, fields[i], sep, i == 0);
  csv_end_record(&t);
  ck_assert(!t.failed);
  return t.s;
}

START_TEST(csv_quotes_only_what_must_be_quoted) {
  ck_assert(!csv_needs_quotes("plain text", ','));
  ck_assert(!csv_needs_quotes("", ','));
  ck_assert(!csv_needs_quotes(NULL, ','));
  ck_assert(csv_needs_quotes("a,b", ','));
  ck_assert(!csv_needs_quotes("a,b", ';')); /* only the separator in use */
  ck_assert(csv_needs_quotes("a;b", ';'));
  ck_assert(csv_needs_quotes("say \"hi\"", ','));
  ck_assert(csv_needs_quotes("two\nlines", ','));
  ck_assert(csv_needs_quotes("cr\r", ','));

  char *s = one_record((const char *[]){"a", "b,c", "say \"hi\"", "", "één", NULL}, ',');
  ck_assert_str_eq(s, "a,\"b,c\",\"say \"\"hi\"\"\",,één\r\n");
  free(s);
  s = one_record((const char *[]){"2,5", "x;y", "line\r\nbreak", NULL}, ';');
  ck_assert_str_eq(s, "2,5;\"x;y\";\"line\r\nbreak\"\r\n");
  free(s);
  /* an empty field, first or not */
  struct csv_text t = {0};
  csv_field(&t, NULL, ',', 1);
  csv_field(&t, NULL, ',', 0);
  csv_end_record(&t);
  ck_assert_str_eq(t.s, ",\r\n");
  free(t.s);
}
END_TEST

START_TEST(period_days) {
  long d = -1;
  ck_assert_int_eq(desk_summary_day_number("1970-01-01", &d), 0);
  ck_assert_int_eq(d, 0);
  ck_assert_int_eq(desk_summary_day_number("2000-03-01", &d), 0);
  ck_assert_int_eq(d, 11017);
  ck_assert_int_eq(desk_summary_day_number("2024-02-29", &d), 0);
  long leap = d;
  ck_assert_int_eq(desk_summary_day_number("2024-03-01", &d), 0);
  ck_assert_int_eq(d - leap, 1);
  ck_assert_int_eq(desk_summary_day_number("1900-01-01", &d), 0);
  ck_assert_int_eq(d, -25567);
  ck_assert_int_eq(desk_summary_day_number("2023-02-29", &d), -1);
  ck_assert_int_eq(desk_summary_day_number("2024-1-01", &d), -1);
  ck_assert_int_eq(desk_summary_day_number(NULL, &d), -1);

  struct result_info info = {0};
  ck_assert_int_eq(desk_summary_period_check(NULL, NULL, &info), 0);
  ck_assert_int_eq(desk_summary_period_check("2026-01-01", NULL, &info), 0);
  ck_assert_int_eq(desk_summary_period_check("2026-01-01", "2026-01-01", &info), 0);
  /* two years: 731 days, both ends included */
  ck_assert_int_eq(desk_summary_period_check("2024-01-01", "2025-12-31", &info), 0);
  ck_assert_ptr_null(info.errors);
  ck_assert_int_eq(desk_summary_period_check("2024-01-01", "2026-01-01", &info), -1);
  ck_assert_ptr_nonnull(info.errors);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(info.errors, 0), "code")), "too_long");
  result_info_clear(&info);
  ck_assert_int_eq(desk_summary_period_check("2026-02-01", "2026-01-31", &info), -1);
  result_info_clear(&info);
  ck_assert_int_eq(desk_summary_period_check("2026-13-01", "yesterday", &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 2);
  result_info_clear(&info);
}
END_TEST

START_TEST(summary_as_csv) {
  json_t *summary = json_loads(
      "{\"from\": \"2026-12-01\", \"to\": \"2026-12-31\", \"requests\": {\"total\": 3, "
      "\"by_track\": {\"informal\": 2, \"none\": 1}, \"by_status\": {\"submitted\": 1, \"done\": 2}, "
      "\"by_category\": [{\"code\": \"odd_jobs\", \"label\": \"Klusjes, \\\"klein\\\"\", \"count\": 3}]}, "
      "\"matches\": 2, \"hours\": 2.5, \"residents_served\": 1, \"volunteers_active\": 2, "
      "\"referrals\": {\"open\": 1, \"overdue\": 0}}",
      0, NULL);
  ck_assert_ptr_nonnull(summary);
  char *csv = desk_summary_csv(summary, ',');
  ck_assert_str_eq(csv,
                   "section,key,label,value\r\n"
                   "period,from,,2026-12-01\r\n"
                   "period,to,,2026-12-31\r\n"
                   "requests,total,,3\r\n"
                   "track,informal,,2\r\n"
                   "track,none,,1\r\n"
                   "status,submitted,,1\r\n"
                   "status,done,,2\r\n"
                   "category,odd_jobs,\"Klusjes, \"\"klein\"\"\",3\r\n"
                   "totals,matches,,2\r\n"
                   "totals,hours,,2.5\r\n"
                   "totals,residents_served,,1\r\n"
                   "totals,volunteers_active,,2\r\n"
                   "referrals,open,,1\r\n"
                   "referrals,overdue,,0\r\n");
  free(csv);
  /* Dutch Excel: semicolons and a decimal comma; the label keeps its quotes for its quote marks */
  csv = desk_summary_csv(summary, ';');
  ck_assert_ptr_nonnull(strstr(csv, "\r\ntotals;hours;;2,5\r\n"));
  ck_assert_ptr_nonnull(strstr(csv, "\r\ncategory;odd_jobs;\"Klusjes, \"\"klein\"\"\";3\r\n"));
  free(csv);
  /* whole hours stay whole, two decimals at most */
  json_object_set_new(summary, "hours", json_real(3.0));
  csv = desk_summary_csv(summary, ';');
  ck_assert_ptr_nonnull(strstr(csv, "\r\ntotals;hours;;3\r\n"));
  free(csv);
  json_object_set_new(summary, "hours", json_real(0.25));
  csv = desk_summary_csv(summary, ',');
  ck_assert_ptr_nonnull(strstr(csv, "\r\ntotals,hours,,0.25\r\n"));
  free(csv);
  json_decref(summary);
}
END_TEST

Suite *triage_suite(void) {
  Suite *s = suite_create("triage");
  TCase *tc = tcase_create("summary");
  tcase_add_test(tc, csv_quotes_only_what_must_be_quoted);
  tcase_add_test(tc, period_days);
  tcase_add_test(tc, summary_as_csv);
  suite_add_tcase(s, tc);
  return s;
}
