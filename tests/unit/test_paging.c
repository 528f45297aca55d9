/* Query parsing, opaque cursors and the {items, next_cursor} envelope. */
#include <check.h>
#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../../src/paging.h"
#include "suites.h"

#define ID1 "123e4567-e89b-12d3-a456-426614174001"
#define ID2 "123e4567-e89b-12d3-a456-426614174002"
#define ID3 "123e4567-e89b-12d3-a456-426614174003"
#define TS1 "2024-05-01T10:00:00.000001Z"
#define TS2 "2024-05-01T10:00:00.000002Z"
#define TS3 "2024-05-01T10:00:00.000003Z"
#define SINCE "2024-01-01T00:00:00Z"

/* Unpadded base64url of `text`, the way cursors are encoded; caller frees with o_free(). */
static char *b64url(const char *text) {
  size_t len = strlen(text);
  size_t out_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = o_malloc(out_len);
  ck_assert_ptr_nonnull(out);
  sodium_bin2base64(out, out_len, (const unsigned char *)text, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

/* The field of the only error in info, checking there is exactly one. */
static const char *only_error_field(const struct result_info *info) {
  ck_assert_ptr_nonnull(info->errors);
  ck_assert_uint_eq(json_array_size(info->errors), 1);
  json_t *error = json_array_get(info->errors, 0);
  ck_assert_ptr_nonnull(json_string_value(json_object_get(error, "code")));
  ck_assert_ptr_nonnull(json_string_value(json_object_get(error, "message")));
  return json_string_value(json_object_get(error, "field"));
}

START_TEST(test_defaults) {
  struct page_request page;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse(NULL, NULL, NULL, &page, &info), 0);
  ck_assert_int_eq(page.limit, PAGE_DEFAULT_LIMIT);
  ck_assert_int_eq(page.limit, 50);
  ck_assert_ptr_null(page.after_ts);
  ck_assert_ptr_null(page.after_id);
  ck_assert_ptr_null(page.updated_since);
  ck_assert_ptr_null(info.errors);
  paging_free(&page);
  result_info_clear(&info);
}
END_TEST

static const struct {
  const char *limit;
  int expect; /* the parsed limit, or 0 when rejected */
} limit_cases[] = {
    {"1", 1},   {"100", 100}, {"50", 50}, {"0", 0},   {"101", 0}, {"abc", 0},
    {"10x", 0}, {"", 0},      {"-1", 0},  {"1.5", 0}, {"1e2", 0}, {"99999999999999999999999", 0},
};

START_TEST(test_limit) {
  struct page_request page;
  struct result_info info = {0};
  int rc = paging_parse(limit_cases[_i].limit, NULL, NULL, &page, &info);
  if (limit_cases[_i].expect > 0) {
    ck_assert_msg(rc == 0, "limit=%s rejected", limit_cases[_i].limit);
    ck_assert_int_eq(page.limit, limit_cases[_i].expect);
    ck_assert_ptr_null(info.errors);
  } else {
    ck_assert_msg(rc == -1, "limit=%s accepted", limit_cases[_i].limit);
    ck_assert_str_eq(only_error_field(&info), "limit");
  }
  paging_free(&page);
  result_info_clear(&info);
}
END_TEST

START_TEST(test_updated_since) {
  struct page_request page;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse(NULL, NULL, SINCE, &page, &info), 0);
  ck_assert_str_eq(page.updated_since, SINCE);
  paging_free(&page);
  ck_assert_ptr_null(page.updated_since);

  ck_assert_int_eq(paging_parse(NULL, NULL, "yesterday", &page, &info), -1);
  ck_assert_str_eq(only_error_field(&info), "updated_since");
  ck_assert_ptr_null(page.updated_since);
  paging_free(&page);
  result_info_clear(&info);

  ck_assert_int_eq(paging_parse(NULL, NULL, "", &page, &info), -1);
  ck_assert_str_eq(only_error_field(&info), "updated_since");
  paging_free(&page);
  result_info_clear(&info);
}
END_TEST

START_TEST(test_all_errors_reported) {
  struct page_request page;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse("0", "!!", "never", &page, &info), -1);
  ck_assert_uint_eq(json_array_size(info.errors), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(info.errors, 0), "field")), "limit");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(info.errors, 1), "field")), "updated_since");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(info.errors, 2), "field")), "cursor");
  paging_free(&page);
  result_info_clear(&info);
}
END_TEST

/* Cursor payloads that are valid base64url but not a cursor (each gets encoded by the test). */
static const char *const bad_cursor_json[] = {
    "{\"a\":1}",
    "[1,2]",
    "not json",
    "[]",
    "[\"" TS1 "\"]",
    "[\"" TS1 "\",5]",
    "[5,\"" ID1 "\"]",
    "[\"yesterday\",\"" ID1 "\"]",
    "[\"" TS1 "\",\"not-a-uuid\"]",
    "[\"" TS1 "\",\"" ID1 "\",5]",
    "[\"" TS1 "\",\"" ID1 "\",\"soon\"]",
    "[\"" TS1 "\",\"" ID1 "\",[]]",
    "\"" TS1 "\"",
    "[\"" TS1 "\",\"" ID1 "\",null] trailing",
};

START_TEST(test_bad_cursor_payload) {
  struct page_request page;
  struct result_info info = {0};
  char *cursor = b64url(bad_cursor_json[_i]);
  ck_assert_msg(paging_parse(NULL, cursor, NULL, &page, &info) == -1, "cursor of %s accepted", bad_cursor_json[_i]);
  ck_assert_str_eq(only_error_field(&info), "cursor");
  ck_assert_ptr_null(page.after_ts);
  ck_assert_ptr_null(page.after_id);
  paging_free(&page);
  result_info_clear(&info);
  o_free(cursor);
}
END_TEST

START_TEST(test_bad_cursor_text) {
  static const char *const cursors[] = {"", "!!!!", "not base64 at all", "eyJhIjoxfQ==", "eyJh+IjoxfQ"};
  for (size_t i = 0; i < sizeof cursors / sizeof cursors[0]; i++) {
    struct page_request page;
    struct result_info info = {0};
    ck_assert_msg(paging_parse(NULL, cursors[i], NULL, &page, &info) == -1, "cursor \"%s\" accepted", cursors[i]);
    ck_assert_str_eq(only_error_field(&info), "cursor");
    paging_free(&page);
    result_info_clear(&info);
  }
}
END_TEST

START_TEST(test_overlong_cursor) {
  /* A well-formed cursor padded out past 512 characters of base64. */
  char json[600];
  struct page_request page;
  struct result_info info = {0};
  snprintf(json, sizeof json, "[\"%s\",\"%s\",null]%*s", TS1, ID1, 400, "");
  char *cursor = b64url(json);
  ck_assert_uint_gt(strlen(cursor), 512);
  ck_assert_int_eq(paging_parse(NULL, cursor, NULL, &page, &info), -1);
  ck_assert_str_eq(only_error_field(&info), "cursor");
  paging_free(&page);
  result_info_clear(&info);
  o_free(cursor);
}
END_TEST

START_TEST(test_cursor_round_trip) {
  struct page_request first, next;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse("2", NULL, SINCE, &first, &info), 0);
  char *cursor = paging_cursor(&first, TS2, ID2);
  ck_assert_ptr_nonnull(cursor);
  ck_assert_uint_eq(strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), strlen(cursor));
  ck_assert_int_eq(paging_parse("2", cursor, NULL, &next, &info), 0);
  ck_assert_ptr_null(info.errors);
  ck_assert_int_eq(next.limit, 2);
  ck_assert_str_eq(next.after_ts, TS2);
  ck_assert_str_eq(next.after_id, ID2);
  ck_assert_str_eq(next.updated_since, SINCE);
  paging_free(&next);

  /* The cursor's updated_since wins over one sent again with it. */
  ck_assert_int_eq(paging_parse(NULL, cursor, "2030-01-01T00:00:00Z", &next, &info), 0);
  ck_assert_str_eq(next.updated_since, SINCE);
  ck_assert_int_eq(next.limit, PAGE_DEFAULT_LIMIT);
  paging_free(&next);
  paging_free(&first);
  o_free(cursor);
  result_info_clear(&info);
}
END_TEST

START_TEST(test_cursor_round_trip_without_since) {
  struct page_request first, next;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse(NULL, NULL, NULL, &first, &info), 0);
  char *cursor = paging_cursor(&first, TS1, ID1);
  ck_assert_ptr_nonnull(cursor);
  ck_assert_int_eq(paging_parse(NULL, cursor, NULL, &next, &info), 0);
  ck_assert_str_eq(next.after_ts, TS1);
  ck_assert_str_eq(next.after_id, ID1);
  ck_assert_ptr_null(next.updated_since);
  paging_free(&next);
  paging_free(&first);
  o_free(cursor);
  result_info_clear(&info);
}
END_TEST

/* n items {updated_at, id} with the TS/ID constants above (n <= 3). */
static json_t *items(size_t n) {
  static const char *const ts[] = {TS1, TS2, TS3};
  static const char *const id[] = {ID1, ID2, ID3};
  json_t *array = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(array, json_pack("{s:s, s:s, s:i}", "updated_at", ts[i], "id", id[i], "n", (int)i));
  return array;
}

START_TEST(test_envelope_with_extra_item) {
  struct page_request page, next;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse("2", NULL, SINCE, &page, &info), 0);
  json_t *env = paging_envelope(&page, items(3), "updated_at", "id");
  ck_assert_ptr_nonnull(env);
  json_t *list = json_object_get(env, "items");
  ck_assert_uint_eq(json_array_size(list), 2);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "id")), ID1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "id")), ID2);
  const char *cursor = json_string_value(json_object_get(env, "next_cursor"));
  ck_assert_ptr_nonnull(cursor);
  /* The cursor continues after the last item kept, in the same listing. */
  ck_assert_int_eq(paging_parse(NULL, cursor, NULL, &next, &info), 0);
  ck_assert_str_eq(next.after_ts, TS2);
  ck_assert_str_eq(next.after_id, ID2);
  ck_assert_str_eq(next.updated_since, SINCE);
  paging_free(&next);
  paging_free(&page);
  json_decref(env);
}
END_TEST

START_TEST(test_envelope_without_extra_item) {
  for (size_t n = 0; n <= 2; n++) {
    struct page_request page;
    struct result_info info = {0};
    ck_assert_int_eq(paging_parse("2", NULL, NULL, &page, &info), 0);
    json_t *env = paging_envelope(&page, items(n), "updated_at", "id");
    ck_assert_ptr_nonnull(env);
    ck_assert_uint_eq(json_array_size(json_object_get(env, "items")), n);
    ck_assert_ptr_nonnull(json_object_get(env, "next_cursor"));
    ck_assert(json_is_null(json_object_get(env, "next_cursor")));
    ck_assert_uint_eq(json_object_size(env), 2);
    paging_free(&page);
    json_decref(env);
  }
}
END_TEST

START_TEST(test_envelope_null) {
  struct page_request page;
  struct result_info info = {0};
  ck_assert_int_eq(paging_parse(NULL, NULL, NULL, &page, &info), 0);
  ck_assert_ptr_null(paging_envelope(&page, NULL, "updated_at", "id"));
  paging_free(&page);
}
END_TEST

Suite *paging_suite(void) {
  Suite *s = suite_create("paging");
  TCase *parse = tcase_create("parse");
  tcase_add_test(parse, test_defaults);
  tcase_add_loop_test(parse, test_limit, 0, (int)(sizeof limit_cases / sizeof limit_cases[0]));
  tcase_add_test(parse, test_updated_since);
  tcase_add_test(parse, test_all_errors_reported);
  tcase_add_loop_test(parse, test_bad_cursor_payload, 0, (int)(sizeof bad_cursor_json / sizeof bad_cursor_json[0]));
  tcase_add_test(parse, test_bad_cursor_text);
  tcase_add_test(parse, test_overlong_cursor);
  suite_add_tcase(s, parse);
  TCase *cursor = tcase_create("cursor");
  tcase_add_test(cursor, test_cursor_round_trip);
  tcase_add_test(cursor, test_cursor_round_trip_without_since);
  tcase_add_test(cursor, test_envelope_with_extra_item);
  tcase_add_test(cursor, test_envelope_without_extra_item);
  tcase_add_test(cursor, test_envelope_null);
  suite_add_tcase(s, cursor);
  return s;
}
