/* ETags of JSON resources, If-Match / If-None-Match comparison, and the digest helpers. */
#include <check.h>
#include <orcania.h>
#include <stdio.h>
#include <string.h>

#include "../../api/conditional.h"
#include "../../src/precondition.h"
#include "../../src/support/digest.h"
#include "../../src/support/etag.h"
#include "suites.h"

static int is_lower_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return 1;
}

static json_t *parse(const char *text) {
  json_error_t error;
  json_t *value = json_loads(text, 0, &error);
  ck_assert_msg(value != NULL, "bad test JSON %s: %s", text, error.text);
  return value;
}

/* ETag of a JSON text, via etag_of_resource. */
static void etag_of_text(const char *text, char out[ETAG_LEN]) {
  json_t *value = parse(text);
  ck_assert_int_eq(etag_of_resource(value, out), 0);
  json_decref(value);
}

START_TEST(test_etag_form) {
  char etag[ETAG_LEN];
  memset(etag, 'x', sizeof etag);
  etag_of_text("{\"id\":\"p1\",\"name\":\"Anna\"}", etag);
  ck_assert_uint_eq(strlen(etag), 34);
  ck_assert_int_eq(etag[0], '"');
  ck_assert_int_eq(etag[33], '"');
  ck_assert_int_eq(is_lower_hex(etag + 1, 32), 1);
}
END_TEST

START_TEST(test_etag_stable_across_key_order) {
  char a[ETAG_LEN], b[ETAG_LEN], again[ETAG_LEN];
  etag_of_text("{\"a\":1,\"b\":{\"x\":[1,2],\"y\":null},\"c\":\"z\"}", a);
  etag_of_text("{\"c\":\"z\",\"b\":{\"y\":null,\"x\":[1,2]},\"a\":1}", b);
  etag_of_text("{ \"a\" : 1, \"b\" : { \"x\" : [ 1, 2 ], \"y\" : null }, \"c\" : \"z\" }", again);
  ck_assert_str_eq(a, b);
  ck_assert_str_eq(a, again);
}
END_TEST

START_TEST(test_etag_is_hash_of_canonical_text) {
  char from_resource[ETAG_LEN], from_text[ETAG_LEN];
  const char *canonical = "{\"a\":1,\"b\":[true,null]}";
  etag_of_text("{\"b\": [true, null], \"a\": 1}", from_resource);
  digest_etag(canonical, strlen(canonical), from_text);
  ck_assert_str_eq(from_resource, from_text);
}
END_TEST

START_TEST(test_etag_changes_with_content) {
  char base[ETAG_LEN], value[ETAG_LEN], key[ETAG_LEN], extra[ETAG_LEN], type[ETAG_LEN], order[ETAG_LEN];
  etag_of_text("{\"a\":1,\"b\":[1,2]}", base);
  etag_of_text("{\"a\":2,\"b\":[1,2]}", value);
  etag_of_text("{\"A\":1,\"b\":[1,2]}", key);
  etag_of_text("{\"a\":1,\"b\":[1,2],\"c\":null}", extra);
  etag_of_text("{\"a\":\"1\",\"b\":[1,2]}", type);
  etag_of_text("{\"a\":1,\"b\":[2,1]}", order); /* array order matters */
  ck_assert_str_ne(base, value);
  ck_assert_str_ne(base, key);
  ck_assert_str_ne(base, extra);
  ck_assert_str_ne(base, type);
  ck_assert_str_ne(base, order);
}
END_TEST

#define TAG "\"0123456789abcdef0123456789abcdef\""
#define OTHER "\"fedcba9876543210fedcba9876543210\""

static const struct {
  const char *header;
  int strong; /* expected with strong comparison (If-Match) */
  int weak;   /* expected with weak comparison (If-None-Match) */
} match_cases[] = {
    {TAG, 1, 1},
    {" " TAG " ", 1, 1},
    {OTHER, 0, 0},
    {OTHER ", " TAG, 1, 1},
    {OTHER "," TAG, 1, 1},
    {TAG ", " OTHER, 1, 1},
    {OTHER ",\t" OTHER, 0, 0},
    {"*", 1, 1},
    {" *", 1, 1},
    {"W/" TAG, 0, 1},
    {"W/" OTHER ", W/" TAG, 0, 1},
    {"W/" OTHER ", " TAG, 1, 1},
    {"W/" OTHER, 0, 0},
    {"\"0123456789abcdef0123456789abcde\"", 0, 0},   /* one digit short */
    {"\"0123456789abcdef0123456789abcdef0\"", 0, 0}, /* one digit long */
    {"\"0123456789ABCDEF0123456789ABCDEF\"", 0, 0},  /* case matters */
    {"0123456789abcdef0123456789abcdef", 0, 0},      /* unquoted */
    {"\"0123456789abcdef0123456789abcdef", 0, 0},    /* unterminated */
    {"garbage", 0, 0},
    {"garbage, " TAG, 0, 0},
    {"w/" TAG, 0, 0},
    {"W/", 0, 0},
    {"\"\"", 0, 0},
    {"", 0, 0},
    {",,, ", 0, 0},
};

START_TEST(test_header_matches) {
  const char *header = match_cases[_i].header;
  ck_assert_msg(conditional_header_matches(header, TAG, 0) == match_cases[_i].strong, "strong: [%s] should give %d",
                header, match_cases[_i].strong);
  ck_assert_msg(conditional_header_matches(header, TAG, 1) == match_cases[_i].weak, "weak: [%s] should give %d", header,
                match_cases[_i].weak);
}
END_TEST

START_TEST(test_header_matches_null) {
  ck_assert_int_eq(conditional_header_matches(NULL, TAG, 0), 0);
  ck_assert_int_eq(conditional_header_matches(NULL, TAG, 1), 0);
  ck_assert_int_eq(conditional_header_matches(TAG, NULL, 1), 0);
}
END_TEST

START_TEST(test_header_matches_computed_etag) {
  char etag[ETAG_LEN], list[3 * ETAG_LEN + 8];
  etag_of_text("{\"x\":1}", etag);
  snprintf(list, sizeof list, "%s, W/%s", OTHER, etag);
  ck_assert_int_eq(conditional_header_matches(etag, etag, 0), 1);
  ck_assert_int_eq(conditional_header_matches(list, etag, 0), 0);
  ck_assert_int_eq(conditional_header_matches(list, etag, 1), 1);
}
END_TEST

/* If-Match read into a precondition, then checked against a resource: the one path every
 * change takes. */
START_TEST(test_if_match_precondition) {
  json_t *resource = json_pack("{s:i}", "x", 1);
  ck_assert_ptr_nonnull(resource);
  char etag[ETAG_LEN], header[3 * ETAG_LEN + 16];
  ck_assert_int_eq(etag_of_resource(resource, etag), 0);
  struct precondition pre;
  char **tags = NULL;

  ck_assert_int_eq(conditional_if_match(NULL, &pre, &tags), 0);
  ck_assert_int_eq(pre.given, 0);
  ck_assert_int_eq(precondition_check(&pre, resource, 1), RESULT_PRECONDITION_REQUIRED);
  ck_assert_int_eq(precondition_check(&pre, resource, 0), RESULT_OK);
  ck_assert_int_eq(precondition_check(NULL, resource, 1), RESULT_PRECONDITION_REQUIRED);
  conditional_tags_free(tags, pre.count);

  ck_assert_int_eq(conditional_if_match("", &pre, &tags), 0);
  ck_assert_int_eq(pre.given, 0);
  conditional_tags_free(tags, pre.count);

  snprintf(header, sizeof header, "%s, %s", OTHER, etag);
  ck_assert_int_eq(conditional_if_match(header, &pre, &tags), 0);
  ck_assert_int_eq(pre.given, 1);
  ck_assert_uint_eq(pre.count, 2);
  ck_assert_int_eq(precondition_check(&pre, resource, 1), RESULT_OK);
  conditional_tags_free(tags, pre.count);

  /* A weak tag never meets If-Match, even when it names this version. */
  snprintf(header, sizeof header, "W/%s", etag);
  ck_assert_int_eq(conditional_if_match(header, &pre, &tags), 0);
  ck_assert_uint_eq(pre.count, 0);
  ck_assert_int_eq(precondition_check(&pre, resource, 0), RESULT_PRECONDITION_FAILED);
  conditional_tags_free(tags, pre.count);

  ck_assert_int_eq(conditional_if_match(OTHER, &pre, &tags), 0);
  ck_assert_int_eq(precondition_check(&pre, resource, 0), RESULT_PRECONDITION_FAILED);
  conditional_tags_free(tags, pre.count);

  ck_assert_int_eq(conditional_if_match("*", &pre, &tags), 0);
  ck_assert_int_eq(pre.any, 1);
  ck_assert_int_eq(precondition_check(&pre, resource, 1), RESULT_OK);
  conditional_tags_free(tags, pre.count);

  /* What follows a token that is not an entity tag is not read. */
  snprintf(header, sizeof header, "%s, junk, %s", OTHER, etag);
  ck_assert_int_eq(conditional_if_match(header, &pre, &tags), 0);
  ck_assert_uint_eq(pre.count, 1);
  ck_assert_int_eq(precondition_check(&pre, resource, 1), RESULT_PRECONDITION_FAILED);
  conditional_tags_free(tags, pre.count);
  json_decref(resource);
}
END_TEST

/* A list item's etag is the ETag of the item as it was, so it equals the one its GET sends for the
 * same document; tombstones and non-objects get none. */
START_TEST(test_etag_set_on_items) {
  json_t *items = json_loads(
      "[{\"id\": \"a\", \"n\": 1}, {\"id\": \"b\", \"deleted\": true}, "
      "{\"id\": \"c\", \"deleted\": false}, 7]",
      0, NULL);
  ck_assert_ptr_nonnull(items);
  char first[ETAG_LEN], third[ETAG_LEN];
  ck_assert_int_eq(etag_of_resource(json_array_get(items, 0), first), 0);
  ck_assert_int_eq(etag_of_resource(json_array_get(items, 2), third), 0);
  ck_assert_int_eq(etag_set_on_items(items), 0);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "etag")), first);
  ck_assert_ptr_null(json_object_get(json_array_get(items, 1), "etag"));
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 2), "etag")), third);
  ck_assert_uint_eq(json_object_size(json_array_get(items, 1)), 2);
  /* Not a list: nothing to do. */
  ck_assert_int_eq(etag_set_on_items(NULL), 0);
  json_decref(items);
}
END_TEST

START_TEST(test_sha256_known_vectors) {
  char hex[DIGEST_HEX_LEN];
  digest_sha256_hex("abc", hex);
  ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  digest_sha256_hex("", hex);
  ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_new_secret) {
  char *a = digest_new_secret();
  char *b = digest_new_secret();
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(strlen(a), 43);
  ck_assert_uint_eq(strlen(b), 43);
  ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
  ck_assert_uint_eq(strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
  ck_assert_str_ne(a, b);
  o_free(a);
  o_free(b);
}
END_TEST

START_TEST(test_keyed_hex) {
  const unsigned char key1[32] = {1, 2, 3};
  const unsigned char key2[32] = {1, 2, 4};
  char h1[DIGEST_HEX_LEN], h1_again[DIGEST_HEX_LEN], h2[DIGEST_HEX_LEN], other_text[DIGEST_HEX_LEN],
      plain[DIGEST_HEX_LEN];
  digest_keyed_hex(key1, sizeof key1, "anna@example.org", h1);
  digest_keyed_hex(key1, sizeof key1, "anna@example.org", h1_again);
  digest_keyed_hex(key2, sizeof key2, "anna@example.org", h2);
  digest_keyed_hex(key1, sizeof key1, "anne@example.org", other_text);
  digest_sha256_hex("anna@example.org", plain);
  ck_assert_uint_eq(strlen(h1), 64);
  ck_assert_int_eq(is_lower_hex(h1, 64), 1);
  ck_assert_str_eq(h1, h1_again);
  ck_assert_str_ne(h1, h2);
  ck_assert_str_ne(h1, other_text);
  ck_assert_str_ne(h1, plain);
}
END_TEST

Suite *etag_suite(void) {
  Suite *s = suite_create("etag+digest");
  TCase *etag = tcase_create("etag");
  tcase_add_test(etag, test_etag_form);
  tcase_add_test(etag, test_etag_stable_across_key_order);
  tcase_add_test(etag, test_etag_is_hash_of_canonical_text);
  tcase_add_test(etag, test_etag_changes_with_content);
  tcase_add_loop_test(etag, test_header_matches, 0, (int)(sizeof match_cases / sizeof match_cases[0]));
  tcase_add_test(etag, test_header_matches_null);
  tcase_add_test(etag, test_header_matches_computed_etag);
  tcase_add_test(etag, test_if_match_precondition);
  tcase_add_test(etag, test_etag_set_on_items);
  suite_add_tcase(s, etag);
  TCase *digest = tcase_create("digest");
  tcase_add_test(digest, test_sha256_known_vectors);
  tcase_add_test(digest, test_new_secret);
  tcase_add_test(digest, test_keyed_hex);
  suite_add_tcase(s, digest);
  return s;
}
