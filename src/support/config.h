#ifndef NOABER_CONFIG_H
#define NOABER_CONFIG_H

#include <stddef.h>

/* One signing/verification key for access tokens. */
struct jwt_key {
  char *kid;             /* owned */
  unsigned char *secret; /* owned, secret_len bytes */
  size_t secret_len;
};

/* The whole configuration, read once from the environment at start-up. */
struct config {
  char *database_url;           /* the API's own (non-owner) role */
  char *migration_database_url; /* owner role for migrate/seed-demo; defaults to database_url */
  char *bind_address;
  int port;
  int http_threads;
  int max_connections;
  int per_ip_connection_limit;
  int connection_timeout_s;
  int header_timeout_s; /* the request line and headers, from the connection's start */
  int body_timeout_s;   /* the body, before NOABER_BODY_MIN_RATE extends it */
  int body_min_rate;    /* bytes per second of body that earn another second */
  size_t max_body_bytes;
  int db_pool_size;
  int db_pool_wait_ms;
  int db_statement_timeout_ms;
  char *share_dir;
  char *log_level;
  char *jwt_issuer;
  char *jwt_audience;
  struct jwt_key *jwt_keys; /* first one signs; all verify */
  size_t jwt_key_count;
  int access_token_ttl_s;
  int refresh_token_ttl_s;
  unsigned long long argon2_opslimit;
  size_t argon2_memlimit_kib;
  int login_max_failures;    /* failures in a row of an account (or a place it knows) before delays */
  int login_ip_max_failures; /* the same for a client address */
  int login_delay_s;         /* the first delay; it doubles with every further failure */
  int login_window_s;        /* the longest delay */
  int invitation_default_hours;
  int certificate_valid_days;
  int shutdown_grace_s;
  char *metrics_token; /* owned; NULL when unset: /metrics then answers 401 to everyone */
};

/* Which parts a subcommand needs; `migrate` needs no JWT keys, for instance. */
enum config_needs {
  CONFIG_NEEDS_DATABASE = 1,     /* DATABASE_URL (the server's role) */
  CONFIG_NEEDS_MIGRATION_DB = 8, /* NOABER_MIGRATION_DATABASE_URL, falling back to DATABASE_URL */
  CONFIG_NEEDS_HTTP = 2,
  CONFIG_NEEDS_AUTH = 4,
};

/*
 * Read and validate the configuration from the environment into *out.
 * On error returns -1 and writes one line naming the variable into err (err_len bytes);
 * *out is then left cleaned. On success returns 0 and the caller frees with config_free().
 * `getenv_fn` is the lookup to use (getenv in production, a table in unit tests).
 */
int config_load(struct config *out, int needs, const char *(*getenv_fn)(const char *name), char *err, size_t err_len);

void config_free(struct config *cfg);

#endif
