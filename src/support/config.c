/* Configuration from environment variables, validated once at start (exit code 2 on error). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NOABER_SHARE_DIR
#define NOABER_SHARE_DIR "share"
#endif

#define MIN_JWT_SECRET_BYTES 32

static int fail(char *err, size_t err_len, const char *name, const char *why) {
  snprintf(err, err_len, "configuration error: %s %s", name, why);
  return -1;
}

/* Parse a whole decimal integer in [min, max]; an unset variable takes the default. */
static int read_int(const char *(*getenv_fn)(const char *), const char *name, long long def, long long min,
                    long long max, long long *out, char *err, size_t err_len) {
  const char *raw = getenv_fn(name);
  if (raw == NULL) {
    *out = def;
    return 0;
  }
  char *end = NULL;
  errno = 0;
  long long value = strtoll(raw, &end, 10);
  int plain = (raw[0] >= '0' && raw[0] <= '9') || (raw[0] == '-' && raw[1] >= '0' && raw[1] <= '9');
  if (!plain || *end != '\0' || errno != 0 || value < min || value > max) {
    char why[128];
    snprintf(why, sizeof why, "must be a whole number from %lld to %lld", min, max);
    return fail(err, err_len, name, why);
  }
  *out = value;
  return 0;
}

static int read_string(const char *(*getenv_fn)(const char *), const char *name, const char *def, char **out, char *err,
                       size_t err_len) {
  const char *raw = getenv_fn(name);
  if (raw == NULL) raw = def;
  if (raw == NULL || raw[0] == '\0') return fail(err, err_len, name, "must be set");
  *out = o_strdup(raw);
  if (*out == NULL) return fail(err, err_len, name, "could not be stored (out of memory)");
  return 0;
}

/* NOABER_METRICS_TOKEN: optional; when set, 32-512 characters of an RFC 6750 bearer token
 * (letters, digits, -._~+/ and trailing =), so a scraper can send it as it is. */
static int read_metrics_token(const char *(*getenv_fn)(const char *), char **out, char *err, size_t err_len) {
  const char *name = "NOABER_METRICS_TOKEN";
  const char *raw = getenv_fn(name);
  if (raw == NULL) return 0;
  size_t len = strlen(raw);
  size_t body = strspn(raw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
  size_t padding = strspn(raw + body, "=");
  if (len < 32 || len > 512 || body == 0 || body + padding != len)
    return fail(err, err_len, name, "must be 32 to 512 characters of A-Z a-z 0-9 - . _ ~ + / (then = only)");
  *out = o_strdup(raw);
  if (*out == NULL) return fail(err, err_len, name, "could not be stored (out of memory)");
  return 0;
}

/* NOABER_JWT_KEYS: "kid:base64secret,kid2:base64secret"; the first key signs. */
static int read_jwt_keys(struct config *cfg, const char *raw, char *err, size_t err_len) {
  const char *name = "NOABER_JWT_KEYS";
  if (raw == NULL || raw[0] == '\0') return fail(err, err_len, name, "must be set (kid:base64secret,...)");
  char **parts = NULL;
  size_t count = split_string(raw, ",", &parts);
  int rc = 0;
  if (count == 0 || count > 16) {
    rc = fail(err, err_len, name, "must hold 1 to 16 keys");
    goto done;
  }
  cfg->jwt_keys = o_malloc(count * sizeof(struct jwt_key));
  if (cfg->jwt_keys == NULL) {
    rc = fail(err, err_len, name, "could not be stored (out of memory)");
    goto done;
  }
  memset(cfg->jwt_keys, 0, count * sizeof(struct jwt_key));
  for (size_t i = 0; i < count; i++) {
    const char *colon = strchr(parts[i], ':');
    if (colon == NULL || colon == parts[i] || colon - parts[i] > 64) {
      rc = fail(err, err_len, name, "entries must look like kid:base64secret (kid 1-64 chars)");
      goto done;
    }
    if (strcspn(parts[i], " \t") < (size_t)(colon - parts[i])) {
      rc = fail(err, err_len, name, "has a kid with white space in it");
      goto done;
    }
    struct jwt_key *key = &cfg->jwt_keys[i];
    cfg->jwt_key_count = i + 1;
    key->kid = o_strndup(parts[i], (size_t)(colon - parts[i]));
    const char *b64 = colon + 1;
    size_t max_len = strlen(b64);
    key->secret = o_malloc(max_len + 1);
    if (key->kid == NULL || key->secret == NULL) {
      rc = fail(err, err_len, name, "could not be stored (out of memory)");
      goto done;
    }
    if (sodium_base642bin(key->secret, max_len + 1, b64, max_len, NULL, &key->secret_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 &&
        sodium_base642bin(key->secret, max_len + 1, b64, max_len, NULL, &key->secret_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
      rc = fail(err, err_len, name, "has a secret that is not valid base64");
      goto done;
    }
    if (key->secret_len < MIN_JWT_SECRET_BYTES) {
      rc = fail(err, err_len, name, "has a secret shorter than 32 bytes");
      goto done;
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(cfg->jwt_keys[j].kid, key->kid) == 0) {
        rc = fail(err, err_len, name, "has the same kid twice");
        goto done;
      }
    }
  }
done:
  free_string_array(parts);
  return rc;
}

int config_load(struct config *cfg, int needs, const char *(*getenv_fn)(const char *), char *err, size_t err_len) {
  memset(cfg, 0, sizeof *cfg);
  long long v;
#define INT_SETTING(field, name, def, min, max)                                                                        \
  do {                                                                                                                 \
    if (read_int(getenv_fn, name, def, min, max, &v, err, err_len) != 0) goto fail;                                    \
    cfg->field = (int)v;                                                                                               \
  } while (0)

  if ((needs & CONFIG_NEEDS_DATABASE) &&
      read_string(getenv_fn, "DATABASE_URL", NULL, &cfg->database_url, err, err_len) != 0)
    goto fail;
  if (needs & CONFIG_NEEDS_MIGRATION_DB) {
    const char *fallback = getenv_fn("DATABASE_URL");
    if (read_string(getenv_fn, "NOABER_MIGRATION_DATABASE_URL", fallback, &cfg->migration_database_url, err, err_len) !=
        0)
      goto fail;
  }
  INT_SETTING(db_pool_size, "NOABER_DB_POOL_SIZE", 8, 1, 256);
  INT_SETTING(db_pool_wait_ms, "NOABER_DB_POOL_WAIT_MS", 2000, 1, 60000);
  INT_SETTING(db_statement_timeout_ms, "NOABER_DB_STATEMENT_TIMEOUT_MS", 5000, 100, 600000);
  INT_SETTING(port, "NOABER_PORT", 8080, 1, 65535);
  INT_SETTING(http_threads, "NOABER_HTTP_THREADS", 16, 1, 256);
  INT_SETTING(max_connections, "NOABER_MAX_CONNECTIONS", 512, 1, 65536);
  /* On by default: one address must not take every connection. Behind a reverse proxy every
   * client has the proxy's address: raise it there (README, operations). */
  INT_SETTING(per_ip_connection_limit, "NOABER_PER_IP_CONNECTION_LIMIT", 64, 0, 65536);
  INT_SETTING(connection_timeout_s, "NOABER_CONNECTION_TIMEOUT_S", 30, 1, 3600);
  INT_SETTING(header_timeout_s, "NOABER_HEADER_TIMEOUT_S", 10, 1, 3600);
  INT_SETTING(body_timeout_s, "NOABER_BODY_TIMEOUT_S", 10, 1, 3600);
  INT_SETTING(body_min_rate, "NOABER_BODY_MIN_RATE", 1024, 1, 1 << 30);
  if (read_int(getenv_fn, "NOABER_MAX_BODY_BYTES", 65536, 1024, 16 * 1024 * 1024, &v, err, err_len) != 0) goto fail;
  cfg->max_body_bytes = (size_t)v;
  INT_SETTING(shutdown_grace_s, "NOABER_SHUTDOWN_GRACE_S", 20, 0, 600);
  if (read_string(getenv_fn, "NOABER_BIND", "127.0.0.1", &cfg->bind_address, err, err_len) != 0) goto fail;
  if ((needs & CONFIG_NEEDS_HTTP) && read_metrics_token(getenv_fn, &cfg->metrics_token, err, err_len) != 0) goto fail;
  if (read_string(getenv_fn, "NOABER_SHARE_DIR", NOABER_SHARE_DIR, &cfg->share_dir, err, err_len) != 0) goto fail;
  if (read_string(getenv_fn, "NOABER_LOG_LEVEL", "info", &cfg->log_level, err, err_len) != 0) goto fail;
  if (strcmp(cfg->log_level, "debug") != 0 && strcmp(cfg->log_level, "info") != 0 &&
      strcmp(cfg->log_level, "warning") != 0 && strcmp(cfg->log_level, "error") != 0) {
    fail(err, err_len, "NOABER_LOG_LEVEL", "must be debug, info, warning or error");
    goto fail;
  }

  if (needs & CONFIG_NEEDS_AUTH) {
    if (read_jwt_keys(cfg, getenv_fn("NOABER_JWT_KEYS"), err, err_len) != 0) goto fail;
  }
  if (read_string(getenv_fn, "NOABER_JWT_ISSUER", "noaber", &cfg->jwt_issuer, err, err_len) != 0) goto fail;
  if (read_string(getenv_fn, "NOABER_JWT_AUDIENCE", "noaber-api", &cfg->jwt_audience, err, err_len) != 0) goto fail;
  /* 15 minutes at most: an access token cannot be revoked, so it must die quickly. */
  INT_SETTING(access_token_ttl_s, "NOABER_ACCESS_TOKEN_TTL_S", 900, 30, 900);
  INT_SETTING(refresh_token_ttl_s, "NOABER_REFRESH_TOKEN_TTL_S", 30 * 24 * 3600, 300, 365 * 24 * 3600);
  /* OWASP's floor for argon2id is 19 MiB with 2 passes; libsodium's interactive default is above it. */
  if (read_int(getenv_fn, "NOABER_ARGON2_OPSLIMIT", crypto_pwhash_OPSLIMIT_INTERACTIVE, 2, 10, &v, err, err_len) != 0)
    goto fail;
  cfg->argon2_opslimit = (unsigned long long)v;
  if (read_int(getenv_fn, "NOABER_ARGON2_MEMLIMIT_KIB", crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024, 19456, 1024 * 1024,
               &v, err, err_len) != 0)
    goto fail;
  cfg->argon2_memlimit_kib = (size_t)v;
  INT_SETTING(login_max_failures, "NOABER_LOGIN_MAX_FAILURES", 5, 1, 1000);
  INT_SETTING(login_ip_max_failures, "NOABER_LOGIN_IP_MAX_FAILURES", 20, 1, 100000);
  INT_SETTING(login_delay_s, "NOABER_LOGIN_DELAY_S", 15, 1, 3600);
  INT_SETTING(login_window_s, "NOABER_LOGIN_WINDOW_S", 900, 10, 86400);
  /* Within the invitation lifetime rule (invitations_lifetime_allowed), checked at start-up. */
  INT_SETTING(invitation_default_hours, "NOABER_INVITATION_DEFAULT_HOURS", 168, 1, INT_MAX);
  INT_SETTING(certificate_valid_days, "NOABER_CERTIFICATE_VALID_DAYS", 1095, 1, 3650);
#undef INT_SETTING
  return 0;
fail:
  config_free(cfg);
  return -1;
}

void config_free(struct config *cfg) {
  if (cfg == NULL) return;
  o_free(cfg->database_url);
  o_free(cfg->migration_database_url);
  o_free(cfg->bind_address);
  o_free(cfg->share_dir);
  o_free(cfg->log_level);
  o_free(cfg->jwt_issuer);
  o_free(cfg->jwt_audience);
  for (size_t i = 0; i < cfg->jwt_key_count; i++) {
    o_free(cfg->jwt_keys[i].kid);
    if (cfg->jwt_keys[i].secret != NULL) {
      sodium_memzero(cfg->jwt_keys[i].secret, cfg->jwt_keys[i].secret_len);
      o_free(cfg->jwt_keys[i].secret);
    }
  }
  o_free(cfg->jwt_keys);
  if (cfg->metrics_token != NULL) sodium_memzero(cfg->metrics_token, strlen(cfg->metrics_token));
  o_free(cfg->metrics_token);
  memset(cfg, 0, sizeof *cfg);
}
