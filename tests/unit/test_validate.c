/* Syntax checks for client-supplied values, boundaries included. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../api/headers.h"
#include "../../src/support/validate.h"
#include "suites.h"

/* A string of `n` copies of `c` followed by `tail`; caller frees. */
static char *repeat(char c, size_t n, const char *tail) {
  size_t tail_len = strlen(tail);
  char *s = malloc(n + tail_len + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, c, n);
  memcpy(s + n, tail, tail_len + 1);
  return s;
}

START_TEST(test_uuid) {
  ck_assert_int_eq(valid_uuid("123e4567-e89b-12d3-a456-426614174000"), 1);
  ck_assert_int_eq(valid_uuid("123E4567-E89B-12D3-A456-42661417400F"), 1);
  ck_assert_int_eq(valid_uuid("00000000-0000-0000-0000-000000000000"), 1);
  ck_assert_int_eq(valid_uuid("123e4567-e89b-12d3-a456-42661417400"), 0);   /* 35 */
  ck_assert_int_eq(valid_uuid("123e4567-e89b-12d3-a456-4266141740000"), 0); /* 37 */
  ck_assert_int_eq(valid_uuid("123e4567e89b-12d3-a456-4266141740000"), 0);  /* hyphen moved */
  ck_assert_int_eq(valid_uuid("123e4567-e89b-12d3-a456_426614174000"), 0);
  ck_assert_int_eq(valid_uuid("123e4567-e89b-12d3-a456-42661417400g"), 0);
  ck_assert_int_eq(valid_uuid("{23e4567-e89b-12d3-a456-42661417400}"), 0);
  ck_assert_int_eq(valid_uuid("------------------------------------"), 0);
  ck_assert_int_eq(valid_uuid(""), 0);
  ck_assert_int_eq(valid_uuid(NULL), 0);
}
END_TEST

static const struct {
  const char *text;
  int valid;
} rfc3339_cases[] = {
    {"2024-01-31T23:59:59Z", 1},
    {"2024-01-31t23:59:59z", 1},
    {"2024-12-01T00:00:00Z", 1},
    {"2024-06-30T12:00:00+05:30", 1},
    {"2024-06-30T12:00:00-08:00", 1},
    {"2024-06-30T12:00:00.1Z", 1},
    {"2024-06-30T12:00:00.123456Z", 1},
    {"2024-06-30T12:00:00.123456789Z", 1},
    {"2024-06-30T12:00:00.123456789+00:00", 1},
    {"2016-12-31T23:59:60Z", 1},            /* leap second */
    {"2024-06-30T12:00:00.1234567890Z", 0}, /* ten fraction digits */
    {"2024-06-30T12:00:00.Z", 0},
    {"2024-00-10T12:00:00Z", 0},
    {"2024-13-10T12:00:00Z", 0},
    {"2024-06-00T12:00:00Z", 0},
    {"2024-06-32T12:00:00Z", 0},
    {"2024-06-30T24:00:00Z", 0},
    {"2024-06-30T12:60:00Z", 0},
    {"2024-06-30T12:00:61Z", 0},
    {"2024-06-30T12:00:00", 0},  /* no zone */
    {"2024-02-29T00:00:00Z", 1}, /* leap year */
    {"2024-02-31T00:00:00Z", 0}, /* no such day: PostgreSQL would refuse it with a 500 */
    {"2023-02-29T00:00:00Z", 0},
    {"1900-02-29T00:00:00Z", 0},
    {"2000-02-29T00:00:00Z", 1},
    {"0000-01-01T00:00:00Z", 0},
    {"2024-06-30T12:00:00+99:99", 0},
    {"2024-06-30T12:00:00+16:00", 0},
    {"2024-06-30T12:00:00-15:59", 1},
    {"2024-06-30T12:00:00+0530", 0},
    {"2024-06-30T12:00:00+05:3", 0},
    {"2024-06-30T12:00:00+05:300", 0},
    {"2024-06-30T12:00:00Zjunk", 0},
    {"2024-06-30X12:00:00Z", 0},
    {"2024/06/30T12:00:00Z", 0},
    {"2024-6-30T12:00:00Z", 0},
    {"2024-06-30T12:00:0Z", 0},
    {"24-06-30T12:00:00Z", 0},
    {"2024-06-30", 0},
    {"2024-06-30T12:00:00.12345678901234567890Z", 0}, /* 41 characters: too long */
    {"", 0},
    {"yesterday", 0},
    /* the years 1900 to 2200, as an instant in UTC */
    {"1900-01-01T00:00:00Z", 1},
    {"1899-12-31T23:59:59Z", 0},
    {"1900-01-01T00:30:00+01:00", 0}, /* 1899-12-31T23:30:00Z */
    {"1899-12-31T23:30:00-01:00", 1}, /* 1900-01-01T00:30:00Z */
    {"2200-12-31T23:59:59.999Z", 1},
    {"2200-12-31T23:59:60Z", 0}, /* a leap second would be 2201 */
    {"2201-01-01T00:00:00Z", 0},
    {"2200-12-31T20:00:00-05:00", 0}, /* 2201-01-01T01:00:00Z */
    {"2201-01-01T01:00:00+02:00", 1}, /* 2200-12-31T23:00:00Z */
    {"9999-12-31T23:00:00-15:00", 0}, /* year 10000 in UTC */
    {"0001-01-01T00:00:00Z", 0},
};

START_TEST(test_rfc3339) {
  const char *text = rfc3339_cases[_i].text;
  ck_assert_msg(valid_rfc3339(text) == rfc3339_cases[_i].valid, "valid_rfc3339(\"%s\") should be %d", text,
                rfc3339_cases[_i].valid);
}
END_TEST

START_TEST(test_rfc3339_null) { ck_assert_int_eq(valid_rfc3339(NULL), 0); }
END_TEST

START_TEST(test_rfc3339_seconds) {
  long long t = -1;
  ck_assert_int_eq(rfc3339_seconds("1970-01-01T00:00:00Z", &t), 0);
  ck_assert_int_eq(t, 0);
  ck_assert_int_eq(rfc3339_seconds("2024-06-30T12:00:00.999+02:00", &t), 0);
  ck_assert_int_eq(t, 1719741600LL); /* 2024-06-30T10:00:00Z */
  ck_assert_int_eq(rfc3339_seconds("1900-01-01T00:00:00Z", &t), 0);
  ck_assert_int_eq(t, -2208988800LL);
  ck_assert_int_eq(rfc3339_seconds("2024-06-30t12:00:00z", &t), 0);
  ck_assert_int_eq(t, 1719748800LL);
  ck_assert_int_eq(rfc3339_seconds("2201-01-01T00:00:00Z", &t), -1);
  ck_assert_int_eq(t, 0);
  ck_assert_int_eq(rfc3339_seconds(NULL, &t), -1);
}
END_TEST

START_TEST(test_date) {
  ck_assert_int_eq(valid_date("2024-02-29"), 1);
  ck_assert_int_eq(valid_date("2023-02-29"), 0);
  ck_assert_int_eq(valid_date("2024-13-01"), 0);
  ck_assert_int_eq(valid_date("2024-1-01"), 0);
  ck_assert_int_eq(valid_date("2024-01-01T00"), 0);
  ck_assert_int_eq(valid_date("1900-01-01"), 1);
  ck_assert_int_eq(valid_date("1899-12-31"), 0);
  ck_assert_int_eq(valid_date("2200-12-31"), 1);
  ck_assert_int_eq(valid_date("2201-01-01"), 0);
  ck_assert_int_eq(valid_date("9999-12-31"), 0);
  ck_assert_int_eq(valid_date(""), 0);
  ck_assert_int_eq(valid_date(NULL), 0);
}
END_TEST

START_TEST(test_email) {
  ck_assert_int_eq(valid_email("a@b.c"), 1);
  ck_assert_int_eq(valid_email("first.last+tag@example.co.uk"), 1);
  ck_assert_int_eq(valid_email("ab"), 0);
  ck_assert_int_eq(valid_email("a@b"), 0);  /* no dot in the domain */
  ck_assert_int_eq(valid_email("@b.c"), 0); /* empty local part */
  ck_assert_int_eq(valid_email("a@.c"), 0); /* domain starts with its last dot */
  ck_assert_int_eq(valid_email("a@b."), 0); /* nothing after the dot */
  ck_assert_int_eq(valid_email("a@@b.c"), 0);
  ck_assert_int_eq(valid_email("a@b.c@d.e"), 0);
  ck_assert_int_eq(valid_email("ab.c"), 0);
  ck_assert_int_eq(valid_email("a b@c.d"), 0);
  ck_assert_int_eq(valid_email("a@c.d "), 0);
  ck_assert_int_eq(valid_email("a\t@c.d"), 0);
  ck_assert_int_eq(valid_email("<a@c.d>"), 0);
  ck_assert_int_eq(valid_email("a,b@c.d"), 0);
  ck_assert_int_eq(valid_email("a;b@c.d"), 0);
  ck_assert_int_eq(valid_email("\"a\"@c.d"), 0);
  ck_assert_int_eq(valid_email("a\x7f@c.d"), 0);
  ck_assert_int_eq(valid_email(""), 0);
  ck_assert_int_eq(valid_email(NULL), 0);
}
END_TEST

START_TEST(test_email_lengths) {
  /* local part: 64 allowed, 65 not */
  char *local64 = repeat('l', 64, "@example.org");
  char *local65 = repeat('l', 65, "@example.org");
  ck_assert_int_eq(valid_email(local64), 1);
  ck_assert_int_eq(valid_email(local65), 0);
  /* whole address: 254 allowed, 255 not (64 + 1 + 185 + 4 = 254) */
  char *domain185 = repeat('d', 185, ".com");
  char *domain186 = repeat('d', 186, ".com");
  size_t n254 = 64 + 1 + strlen(domain185) + 1;
  char *addr254 = malloc(n254);
  char *addr255 = malloc(n254 + 1);
  ck_assert_ptr_nonnull(addr254);
  ck_assert_ptr_nonnull(addr255);
  memcpy(addr254, local64, 65); /* 64 letters and '@' */
  strcpy(addr254 + 65, domain185);
  memcpy(addr255, local64, 65);
  strcpy(addr255 + 65, domain186);
  ck_assert_uint_eq(strlen(addr254), 254);
  ck_assert_uint_eq(strlen(addr255), 255);
  ck_assert_int_eq(valid_email(addr254), 1);
  ck_assert_int_eq(valid_email(addr255), 0);
  free(local64);
  free(local65);
  free(domain185);
  free(domain186);
  free(addr254);
  free(addr255);
}
END_TEST

START_TEST(test_text) {
  ck_assert_int_eq(valid_text("hello", 1, 5), 1);
  ck_assert_int_eq(valid_text("hello", 5, 5), 1);
  ck_assert_int_eq(valid_text("hello", 1, 4), 0);
  ck_assert_int_eq(valid_text("hello", 6, 10), 0);
  ck_assert_int_eq(valid_text("", 0, 10), 1);
  ck_assert_int_eq(valid_text("a\xc2\x85"
                              "b",
                              1, 10),
                   0);                                  /* C1 control U+0085 */
  ck_assert_int_eq(valid_text("caf\xc3\xa9", 4, 4), 1); /* e-acute is one code point, not a control */
  ck_assert_int_eq(valid_text("", 1, 10), 0);
  /* code points, not bytes: "héllo" is 6 bytes, 5 code points */
  ck_assert_int_eq(valid_text("h\xc3\xa9llo", 5, 5), 1);
  ck_assert_int_eq(valid_text("h\xc3\xa9llo", 6, 6), 0);
  /* three-byte (€) and four-byte (U+1F600) sequences count once */
  ck_assert_int_eq(valid_text("\xe2\x82\xac", 1, 1), 1);
  ck_assert_int_eq(valid_text("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 2, 2), 1);
  ck_assert_int_eq(valid_text("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 1, 1), 0);
  ck_assert_int_eq(valid_text("\xe6\x97\xa5\xe6\x9c\xac", 1, 2), 1); /* 日本 */
  /* control characters */
  ck_assert_int_eq(valid_text("a\tb", 0, 10), 0);
  ck_assert_int_eq(valid_text("a\nb", 0, 10), 0);
  ck_assert_int_eq(valid_text("a\rb", 0, 10), 0);
  ck_assert_int_eq(valid_text("\x1b[31m", 0, 10), 0);
  ck_assert_int_eq(valid_text("a\x7f", 0, 10), 0);
  ck_assert_int_eq(valid_text("\x01", 0, 10), 0);
  ck_assert_int_eq(valid_text(" ~", 2, 2), 1); /* first and last printable ASCII */
  ck_assert_int_eq(valid_text(NULL, 0, 10), 0);
}
END_TEST

START_TEST(test_request_id) {
  char *id128 = repeat('a', 128, "");
  char *id129 = repeat('a', 129, "");
  ck_assert_int_eq(header_request_id_valid("A-z_0.9"), 1);
  ck_assert_int_eq(header_request_id_valid("x"), 1);
  ck_assert_int_eq(header_request_id_valid(id128), 1);
  ck_assert_int_eq(header_request_id_valid(id129), 0);
  ck_assert_int_eq(header_request_id_valid(""), 0);
  ck_assert_int_eq(header_request_id_valid("a b"), 0);
  ck_assert_int_eq(header_request_id_valid("a/b"), 0);
  ck_assert_int_eq(header_request_id_valid("a:b"), 0);
  ck_assert_int_eq(header_request_id_valid("a\nb"), 0);
  ck_assert_int_eq(header_request_id_valid("caf\xc3\xa9"), 0);
  ck_assert_int_eq(header_request_id_valid(NULL), 0);
  free(id128);
  free(id129);
}
END_TEST

START_TEST(test_idempotency_key) {
  char *key255 = repeat('k', 255, "");
  char *key256 = repeat('k', 256, "");
  ck_assert_int_eq(header_idempotency_key_valid("x"), 1);
  ck_assert_int_eq(header_idempotency_key_valid("!~{}\"'/:"), 1); /* 0x21 and 0x7e are the edges */
  ck_assert_int_eq(header_idempotency_key_valid("123e4567-e89b-12d3-a456-426614174000"), 1);
  ck_assert_int_eq(header_idempotency_key_valid(key255), 1);
  ck_assert_int_eq(header_idempotency_key_valid(key256), 0);
  ck_assert_int_eq(header_idempotency_key_valid(""), 0);
  ck_assert_int_eq(header_idempotency_key_valid("a b"), 0);
  ck_assert_int_eq(header_idempotency_key_valid("a\tb"), 0);
  ck_assert_int_eq(header_idempotency_key_valid("a\x7f"), 0);
  ck_assert_int_eq(header_idempotency_key_valid("caf\xc3\xa9"), 0);
  ck_assert_int_eq(header_idempotency_key_valid(NULL), 0);
  free(key255);
  free(key256);
}
END_TEST

START_TEST(test_time_of_day) {
  ck_assert_int_eq(time_of_day_minutes("00:00"), 0);
  ck_assert_int_eq(time_of_day_minutes("09:00"), 540);
  ck_assert_int_eq(time_of_day_minutes("23:59"), 1439);
  const char *const bad[] = {"24:00", "12:60", "9:00", "09:0", "09.00", "0900", "09:00:00", "", "ab:cd"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) ck_assert_int_eq(time_of_day_minutes(bad[i]), -1);
  ck_assert_int_eq(time_of_day_minutes(NULL), -1);
}
END_TEST

START_TEST(test_days_from_civil) {
  ck_assert_int_eq(days_from_civil(1970, 1, 1), 0);
  ck_assert_int_eq(days_from_civil(2000, 3, 1), 11017);
  ck_assert_int_eq(days_from_civil(1969, 12, 31), -1);
}
END_TEST

Suite *validate_suite(void) {
  Suite *s = suite_create("validate");
  TCase *tc = tcase_create("syntax");
  tcase_add_test(tc, test_uuid);
  tcase_add_loop_test(tc, test_rfc3339, 0, (int)(sizeof rfc3339_cases / sizeof rfc3339_cases[0]));
  tcase_add_test(tc, test_rfc3339_null);
  tcase_add_test(tc, test_rfc3339_seconds);
  tcase_add_test(tc, test_date);
  tcase_add_test(tc, test_time_of_day);
  tcase_add_test(tc, test_days_from_civil);
  tcase_add_test(tc, test_email);
  tcase_add_test(tc, test_email_lengths);
  tcase_add_test(tc, test_text);
  tcase_add_test(tc, test_request_id);
  tcase_add_test(tc, test_idempotency_key);
  suite_add_tcase(s, tc);
  return s;
}
