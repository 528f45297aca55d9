/* config_load with a fake environment: defaults, every rejected value, JWT keys, freeing. */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/support/config.h"
#include "suites.h"

/* Base64 of the bytes 0x00..0x1f (32 bytes), padded and unpadded. */
#define KEY32_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY32_B64_NOPAD "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
/* Base64 of the bytes 100..147 (48 bytes). */
#define KEY48_B64 "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKT"
/* Base64 of the bytes 0x00..0x1e (31 bytes): one short of the minimum. */
#define KEY31_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="

#define NEEDS_SERVE (CONFIG_NEEDS_DATABASE | CONFIG_NEEDS_HTTP | CONFIG_NEEDS_AUTH)
#define NEEDS_ALL (NEEDS_SERVE | CONFIG_NEEDS_MIGRATION_DB)

/* The fake environment: a small table of name=value pairs. */
#define ENV_MAX 32
static struct {
  const char *name;
  const char *value;
} env[ENV_MAX];
static size_t env_count;

static void env_reset(void) {
  memset(env, 0, sizeof env);
  env_count = 0;
}

/* Set (or, with value NULL, unset) a variable. */
static void env_set(const char *name, const char *value) {
  for (size_t i = 0; i < env_count; i++) {
    if (strcmp(env[i].name, name) == 0) {
      env[i].value = value;
      return;
    }
  }
  ck_assert_uint_lt(env_count, ENV_MAX);
  env[env_count].name = name;
  env[env_count].value = value;
  env_count++;
}

static const char *fake_getenv(const char *name) {
  for (size_t i = 0; i < env_count; i++)
    if (strcmp(env[i].name, name) == 0) return env[i].value;
  return NULL;
}

/* The least a full configuration needs. */
static void env_minimal(void) {
  env_reset();
  env_set("DATABASE_URL", "postgresql://api@localhost/noaber");
  env_set("NOABER_JWT_KEYS", "k1:" KEY32_B64);
}

static void assert_cleaned(const struct config *cfg) {
  ck_assert_ptr_null(cfg->database_url);
  ck_assert_ptr_null(cfg->migration_database_url);
  ck_assert_ptr_null(cfg->bind_address);
  ck_assert_ptr_null(cfg->share_dir);
  ck_assert_ptr_null(cfg->log_level);
  ck_assert_ptr_null(cfg->jwt_issuer);
  ck_assert_ptr_null(cfg->jwt_audience);
  ck_assert_ptr_null(cfg->jwt_keys);
  ck_assert_uint_eq(cfg->jwt_key_count, 0);
  ck_assert_ptr_null(cfg->metrics_token);
  ck_assert_int_eq(cfg->port, 0);
}

START_TEST(test_defaults) {
  struct config cfg;
  char err[256] = "";
  env_minimal();
  ck_assert_int_eq(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err), 0);
  ck_assert_str_eq(cfg.database_url, "postgresql://api@localhost/noaber");
  /* the migration URL falls back to DATABASE_URL, in a copy of its own */
  ck_assert_str_eq(cfg.migration_database_url, "postgresql://api@localhost/noaber");
  ck_assert_ptr_ne(cfg.migration_database_url, cfg.database_url);
  ck_assert_str_eq(cfg.bind_address, "127.0.0.1");
  ck_assert_int_eq(cfg.port, 8080);
  ck_assert_int_eq(cfg.http_threads, 16);
  ck_assert_int_eq(cfg.max_connections, 512);
  ck_assert_int_eq(cfg.per_ip_connection_limit, 64);
  ck_assert_int_eq(cfg.connection_timeout_s, 30);
  ck_assert_int_eq(cfg.header_timeout_s, 10);
  ck_assert_int_eq(cfg.body_timeout_s, 10);
  ck_assert_int_eq(cfg.body_min_rate, 1024);
  ck_assert_uint_eq(cfg.max_body_bytes, 65536);
  ck_assert_int_eq(cfg.db_pool_size, 8);
  ck_assert_int_eq(cfg.db_pool_wait_ms, 2000);
  ck_assert_int_eq(cfg.db_statement_timeout_ms, 5000);
#ifdef NOABER_SHARE_DIR /* the Makefile compiles config.c and the tests with the same value */
  ck_assert_str_eq(cfg.share_dir, NOABER_SHARE_DIR);
#else
  ck_assert_str_eq(cfg.share_dir, "share");
#endif
  ck_assert_str_eq(cfg.log_level, "info");
  ck_assert_str_eq(cfg.jwt_issuer, "noaber");
  ck_assert_str_eq(cfg.jwt_audience, "noaber-api");
  ck_assert_uint_eq(cfg.jwt_key_count, 1);
  ck_assert_str_eq(cfg.jwt_keys[0].kid, "k1");
  ck_assert_uint_eq(cfg.jwt_keys[0].secret_len, 32);
  ck_assert_int_eq(cfg.access_token_ttl_s, 900);
  ck_assert_int_eq(cfg.refresh_token_ttl_s, 30 * 24 * 3600);
  ck_assert_uint_eq(cfg.argon2_opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  ck_assert_uint_eq(cfg.argon2_memlimit_kib, crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024);
  ck_assert_uint_ge(cfg.argon2_memlimit_kib, 19456);
  ck_assert_int_eq(cfg.login_max_failures, 5);
  ck_assert_int_eq(cfg.login_ip_max_failures, 20);
  ck_assert_int_eq(cfg.login_delay_s, 15);
  ck_assert_int_eq(cfg.login_window_s, 900);
  ck_assert_int_eq(cfg.invitation_default_hours, 168);
  ck_assert_int_eq(cfg.shutdown_grace_s, 20);
  ck_assert_ptr_null(cfg.metrics_token); /* unset: /metrics refuses everyone */
  config_free(&cfg);
  assert_cleaned(&cfg);
  config_free(&cfg); /* freeing twice is harmless */
  config_free(NULL);
}
END_TEST

START_TEST(test_overrides) {
  struct config cfg;
  char err[256] = "";
  env_minimal();
  env_set("NOABER_MIGRATION_DATABASE_URL", "postgresql://owner@localhost/noaber");
  env_set("NOABER_PORT", "65535");
  env_set("NOABER_BIND", "0.0.0.0");
  env_set("NOABER_LOG_LEVEL", "debug");
  env_set("NOABER_ACCESS_TOKEN_TTL_S", "30");
  env_set("NOABER_ARGON2_MEMLIMIT_KIB", "19456");
  env_set("NOABER_DB_POOL_SIZE", "1");
  env_set("NOABER_MAX_BODY_BYTES", "1024");
  env_set("NOABER_METRICS_TOKEN", KEY48_B64);
  ck_assert_int_eq(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err), 0);
  ck_assert_str_eq(cfg.metrics_token, KEY48_B64);
  ck_assert_str_eq(cfg.migration_database_url, "postgresql://owner@localhost/noaber");
  ck_assert_str_eq(cfg.database_url, "postgresql://api@localhost/noaber");
  ck_assert_int_eq(cfg.port, 65535);
  ck_assert_str_eq(cfg.bind_address, "0.0.0.0");
  ck_assert_str_eq(cfg.log_level, "debug");
  ck_assert_int_eq(cfg.access_token_ttl_s, 30);
  ck_assert_uint_eq(cfg.argon2_memlimit_kib, 19456);
  ck_assert_int_eq(cfg.db_pool_size, 1);
  ck_assert_uint_eq(cfg.max_body_bytes, 1024);
  config_free(&cfg);
  assert_cleaned(&cfg);
}
END_TEST

START_TEST(test_log_levels) {
  static const char *const levels[] = {"debug", "info", "warning", "error"};
  for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
    struct config cfg;
    char err[256] = "";
    env_minimal();
    env_set("NOABER_LOG_LEVEL", levels[i]);
    ck_assert_msg(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err) == 0, "level %s: %s", levels[i], err);
    ck_assert_str_eq(cfg.log_level, levels[i]);
    config_free(&cfg);
  }
}
END_TEST

/* Each row: one variable set to a bad value (NULL: unset) on top of a good environment. */
static const struct {
  const char *name;
  const char *value;
} bad_values[] = {
    {"NOABER_PORT", "abc"},
    {"NOABER_PORT", "0"},
    {"NOABER_PORT", "70000"},
    {"NOABER_PORT", ""},
    {"NOABER_PORT", "80x"},
    {"NOABER_PORT", "-1"},
    {"NOABER_PORT", "99999999999999999999999"},
    {"NOABER_DB_POOL_SIZE", "0"},
    {"NOABER_DB_POOL_SIZE", "257"},
    {"NOABER_JWT_KEYS", ""},
    {"NOABER_JWT_KEYS", NULL},
    {"NOABER_JWT_KEYS", "k1" KEY32_B64},
    {"NOABER_JWT_KEYS", ":" KEY32_B64},
    {"NOABER_JWT_KEYS", "k1:" KEY31_B64},
    {"NOABER_JWT_KEYS", "k1:not*base64*at*all"},
    {"NOABER_JWT_KEYS", "k1:" KEY32_B64 ",k1:" KEY48_B64},
    {"NOABER_JWT_KEYS", "k1:" KEY32_B64 ",k2"},
    {"NOABER_JWT_KEYS",
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:" KEY32_B64}, /* 65-char kid */
    {"NOABER_ACCESS_TOKEN_TTL_S", "901"},
    {"NOABER_ACCESS_TOKEN_TTL_S", "29"},
    {"NOABER_ARGON2_MEMLIMIT_KIB", "19455"},
    {"NOABER_ARGON2_OPSLIMIT", "1"},
    {"NOABER_MAX_BODY_BYTES", "1023"},
    {"NOABER_HEADER_TIMEOUT_S", "0"},
    {"NOABER_BODY_TIMEOUT_S", "3601"},
    {"NOABER_BODY_MIN_RATE", "0"},
    {"NOABER_LOG_LEVEL", "loud"},
    {"NOABER_LOG_LEVEL", ""},
    {"DATABASE_URL", NULL},
    {"DATABASE_URL", ""},
    {"NOABER_MIGRATION_DATABASE_URL", ""},
    {"NOABER_METRICS_TOKEN", ""},
    {"NOABER_METRICS_TOKEN", "too-short-to-guess-ab1234567890"}, /* 31 characters */
    {"NOABER_METRICS_TOKEN", KEY32_B64 " x"},
    {"NOABER_METRICS_TOKEN", "=" KEY32_B64},
    {"NOABER_METRICS_TOKEN", "AAECAwQFBgcICQoLDA0ODx==AREhMUFRYXGBkaGxwdHh8"},
};
#define BAD_VALUE_COUNT ((int)(sizeof bad_values / sizeof bad_values[0]))

START_TEST(test_bad_value) {
  struct config cfg;
  char err[256] = "";
  env_minimal();
  env_set(bad_values[_i].name, bad_values[_i].value);
  int rc = config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err);
  ck_assert_msg(rc == -1, "%s=%s was accepted", bad_values[_i].name,
                bad_values[_i].value ? bad_values[_i].value : "(unset)");
  ck_assert_msg(strstr(err, bad_values[_i].name) != NULL, "%s=%s: error \"%s\" does not name the variable",
                bad_values[_i].name, bad_values[_i].value ? bad_values[_i].value : "(unset)", err);
  ck_assert_ptr_null(strchr(err, '\n'));
  assert_cleaned(&cfg);
  config_free(&cfg); /* harmless after the error path */
}
END_TEST

START_TEST(test_two_keys) {
  struct config cfg;
  char err[256] = "";
  unsigned char expect32[32], expect48[48];
  for (size_t i = 0; i < sizeof expect32; i++) expect32[i] = (unsigned char)i;
  for (size_t i = 0; i < sizeof expect48; i++) expect48[i] = (unsigned char)(100 + i);
  env_minimal();
  env_set("NOABER_JWT_KEYS", "2024-06:" KEY32_B64 ",2024-01:" KEY48_B64);
  ck_assert_int_eq(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err), 0);
  ck_assert_uint_eq(cfg.jwt_key_count, 2);
  ck_assert_str_eq(cfg.jwt_keys[0].kid, "2024-06");
  ck_assert_uint_eq(cfg.jwt_keys[0].secret_len, 32);
  ck_assert_mem_eq(cfg.jwt_keys[0].secret, expect32, 32);
  ck_assert_str_eq(cfg.jwt_keys[1].kid, "2024-01");
  ck_assert_uint_eq(cfg.jwt_keys[1].secret_len, 48);
  ck_assert_mem_eq(cfg.jwt_keys[1].secret, expect48, 48);
  config_free(&cfg);
  assert_cleaned(&cfg);
}
END_TEST

START_TEST(test_key_without_padding) {
  struct config cfg;
  char err[256] = "";
  env_minimal();
  env_set("NOABER_JWT_KEYS", "nopad:" KEY32_B64_NOPAD);
  ck_assert_msg(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(cfg.jwt_key_count, 1);
  ck_assert_str_eq(cfg.jwt_keys[0].kid, "nopad");
  ck_assert_uint_eq(cfg.jwt_keys[0].secret_len, 32);
  ck_assert_uint_eq(cfg.jwt_keys[0].secret[31], 0x1f);
  config_free(&cfg);
}
END_TEST

START_TEST(test_key_64_char_kid) {
  struct config cfg;
  char err[256] = "";
  env_minimal();
  env_set("NOABER_JWT_KEYS", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk:" KEY32_B64);
  ck_assert_msg(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(strlen(cfg.jwt_keys[0].kid), 64);
  config_free(&cfg);
}
END_TEST

START_TEST(test_needs_migration_db) {
  struct config cfg;
  char err[256] = "";
  /* migrate and seed-demo: only the owner's URL, no DATABASE_URL and no keys needed */
  env_reset();
  env_set("NOABER_MIGRATION_DATABASE_URL", "postgresql://owner@localhost/noaber");
  ck_assert_msg(config_load(&cfg, CONFIG_NEEDS_MIGRATION_DB, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_str_eq(cfg.migration_database_url, "postgresql://owner@localhost/noaber");
  ck_assert_ptr_null(cfg.database_url);
  ck_assert_uint_eq(cfg.jwt_key_count, 0);
  config_free(&cfg);

  /* falling back to DATABASE_URL */
  env_reset();
  env_set("DATABASE_URL", "postgresql://api@localhost/noaber");
  ck_assert_msg(config_load(&cfg, CONFIG_NEEDS_MIGRATION_DB, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_str_eq(cfg.migration_database_url, "postgresql://api@localhost/noaber");
  ck_assert_ptr_null(cfg.database_url);
  config_free(&cfg);

  /* neither set */
  env_reset();
  ck_assert_int_eq(config_load(&cfg, CONFIG_NEEDS_MIGRATION_DB, fake_getenv, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "NOABER_MIGRATION_DATABASE_URL"));
  assert_cleaned(&cfg);

  /* serve does not read the migration URL */
  env_minimal();
  env_set("NOABER_MIGRATION_DATABASE_URL", "postgresql://owner@localhost/noaber");
  ck_assert_msg(config_load(&cfg, NEEDS_SERVE, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_ptr_null(cfg.migration_database_url);
  ck_assert_str_eq(cfg.database_url, "postgresql://api@localhost/noaber");
  config_free(&cfg);
}
END_TEST

START_TEST(test_needs_limit_what_is_read) {
  struct config cfg;
  char err[256] = "";
  /* No DATABASE_URL and unusable keys: fine when neither is needed. */
  env_reset();
  env_set("NOABER_JWT_KEYS", "garbage");
  ck_assert_msg(config_load(&cfg, CONFIG_NEEDS_HTTP, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_ptr_null(cfg.database_url);
  ck_assert_uint_eq(cfg.jwt_key_count, 0);
  ck_assert_ptr_null(cfg.jwt_keys);
  config_free(&cfg);

  /* the server's database URL only */
  env_set("DATABASE_URL", "postgresql://x@y/z");
  ck_assert_msg(config_load(&cfg, CONFIG_NEEDS_DATABASE, fake_getenv, err, sizeof err) == 0, "%s", err);
  ck_assert_str_eq(cfg.database_url, "postgresql://x@y/z");
  ck_assert_ptr_null(cfg.migration_database_url);
  ck_assert_uint_eq(cfg.jwt_key_count, 0);
  config_free(&cfg);

  /* The same environment with auth needed fails on the keys. */
  ck_assert_int_eq(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "NOABER_JWT_KEYS"));
}
END_TEST

START_TEST(test_small_error_buffer) {
  struct config cfg;
  char err[12];
  memset(err, 'x', sizeof err);
  env_minimal();
  env_set("NOABER_PORT", "abc");
  ck_assert_int_eq(config_load(&cfg, NEEDS_ALL, fake_getenv, err, sizeof err), -1);
  ck_assert_uint_eq(strlen(err), sizeof err - 1); /* truncated, still terminated */
}
END_TEST

Suite *config_suite(void) {
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("load");
  tcase_add_test(tc, test_defaults);
  tcase_add_test(tc, test_overrides);
  tcase_add_test(tc, test_log_levels);
  tcase_add_loop_test(tc, test_bad_value, 0, BAD_VALUE_COUNT);
  tcase_add_test(tc, test_two_keys);
  tcase_add_test(tc, test_key_without_padding);
  tcase_add_test(tc, test_key_64_char_kid);
  tcase_add_test(tc, test_needs_migration_db);
  tcase_add_test(tc, test_needs_limit_what_is_read);
  tcase_add_test(tc, test_small_error_buffer);
  suite_add_tcase(s, tc);
  return s;
}
