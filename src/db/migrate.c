/* Numbered SQL migrations with checksums, and the repeatable SQL function files that are
 * re-applied whenever their text changes. */
#include "migrate.h"

#include <dirent.h>
#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/log.h"

#define MIGRATION_LOCK_KEY "4242001"

static const struct db_statement statements[] = {
    {"migrations_list", "SELECT version, checksum FROM schema_migrations ORDER BY version"},
    {"migrations_functions_list", "SELECT name, checksum FROM schema_functions ORDER BY name"},
};

int migrations_register_statements(void) {
  return db_register_statements(statements, sizeof statements / sizeof statements[0]);
}

static int compare_versions(const void *a, const void *b) {
  const struct migration *ma = a, *mb = b;
  return (ma->version > mb->version) - (ma->version < mb->version);
}

static int compare_names(const void *a, const void *b) {
  const struct migration *ma = a, *mb = b;
  return strcmp(ma->name, mb->name);
}

/* Read a whole file into a NUL-terminated string the caller frees; NULL on error. */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 8192;
      char *grown = o_realloc(buf, cap);
      if (grown == NULL) {
        o_free(buf);
        fclose(f);
        return NULL;
      }
      buf = grown;
    }
    size_t n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (n == 0) break;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    o_free(buf);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

static void hex_sha256(const char *data, char out[65]) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)data, strlen(data));
  sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* Append every .sql file of `dir` to *items: numbered ones (NNNN_name.sql, version > 0) when
 * `numbered`, any name otherwise (version 0). Returns 0, or -1 with the reason logged; what was
 * appended stays owned by *items either way. */
static int load_dir(const char *dir, int numbered, struct migration **items, size_t *count) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    log_event(LOG_ERROR, NULL, "migrations_missing", json_pack("{s:s}", "dir", dir));
    return -1;
  }
  struct dirent *entry;
  int rc = 0;
  while ((entry = readdir(d)) != NULL) {
    const char *name = entry->d_name;
    size_t len = strlen(name);
    if (len < 5 || strcmp(name + len - 4, ".sql") != 0 || name[0] == '.') continue;
    long version = 0;
    if (numbered) {
      char *end = NULL;
      version = strtol(name, &end, 10);
      if (len < 9 || end == name || *end != '_' || version <= 0 || version > 999999) continue;
    }
    struct migration *grown = o_realloc(*items, (*count + 1) * sizeof *grown);
    if (grown == NULL) {
      rc = -1;
      break;
    }
    *items = grown;
    struct migration *m = &grown[*count];
    memset(m, 0, sizeof *m);
    (*count)++;
    m->version = (int)version;
    m->name = o_strdup(name);
    char *path = msprintf("%s/%s", dir, name);
    m->sql = path != NULL ? read_file(path) : NULL;
    o_free(path);
    if (m->name == NULL || m->sql == NULL) {
      log_event(LOG_ERROR, NULL, "migration_unreadable", json_pack("{s:s}", "file", name));
      rc = -1;
      break;
    }
    hex_sha256(m->sql, m->checksum);
  }
  closedir(d);
  return rc;
}

int migrations_load(const char *migrations_dir, const char *functions_dir, struct migration_set *out) {
  memset(out, 0, sizeof *out);
  int rc = load_dir(migrations_dir, 1, &out->items, &out->count);
  if (rc == 0) rc = load_dir(functions_dir, 0, &out->functions, &out->function_count);
  if (rc == 0) {
    if (out->count > 1) qsort(out->items, out->count, sizeof *out->items, compare_versions);
    if (out->function_count > 1) qsort(out->functions, out->function_count, sizeof *out->functions, compare_names);
    for (size_t i = 1; i < out->count; i++) {
      if (out->items[i].version == out->items[i - 1].version) {
        log_event(LOG_ERROR, NULL, "migration_duplicate_version", json_pack("{s:i}", "version", out->items[i].version));
        rc = -1;
      }
    }
  }
  if (rc != 0) migrations_free(out);
  return rc;
}

static void free_items(struct migration *items, size_t count) {
  for (size_t i = 0; i < count; i++) {
    o_free(items[i].name);
    o_free(items[i].sql);
  }
  o_free(items);
}

void migrations_free(struct migration_set *set) {
  free_items(set->items, set->count);
  free_items(set->functions, set->function_count);
  memset(set, 0, sizeof *set);
}

/* Compare applied (version, checksum) rows with the files. */
static enum migration_state compare(const PGresult *applied, const struct migration_set *set) {
  int rows = PQntuples(applied);
  for (int r = 0; r < rows; r++) {
    int version = atoi(PQgetvalue(applied, r, 0));
    const char *checksum = PQgetvalue(applied, r, 1);
    const struct migration *known = NULL;
    for (size_t i = 0; i < set->count; i++) {
      if (set->items[i].version == version) known = &set->items[i];
    }
    if (known == NULL || strcmp(known->checksum, checksum) != 0) {
      log_event(LOG_ERROR, NULL, known == NULL ? "migration_unknown" : "migration_altered",
                json_pack("{s:i}", "version", version));
      return MIGRATIONS_MISMATCH;
    }
  }
  return (size_t)rows == set->count ? MIGRATIONS_CURRENT : MIGRATIONS_PENDING;
}

/* Whether every function file is applied with its current text: (name, checksum) rows. Rows of
 * files no longer shipped are ignored; their functions stay until a migration drops them. */
static int functions_current(const PGresult *applied, const struct migration *files, size_t count) {
  int rows = PQntuples(applied);
  for (size_t i = 0; i < count; i++) {
    int found = 0;
    for (int r = 0; r < rows && !found; r++) {
      found = strcmp(PQgetvalue(applied, r, 0), files[i].name) == 0 &&
              strcmp(PQgetvalue(applied, r, 1), files[i].checksum) == 0;
    }
    if (!found) return 0;
  }
  return 1;
}

static int run(PGconn *pg, const char *sql) {
  PGresult *res = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(res);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) {
    log_event(LOG_ERROR, NULL, "migration_sql_failed",
              json_pack("{s:s?, s:s?}", "sqlstate", PQresultErrorField(res, PG_DIAG_SQLSTATE), "message",
                        PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)));
  }
  PQclear(res);
  return ok ? 0 : -1;
}

/* Apply, each in its own transaction, the function files whose text is new or changed since they
 * were last applied (after the numbered migrations, which create what they refer to). */
static int apply_functions(PGconn *owner, const struct migration_set *set) {
  if (run(owner,
          "CREATE TABLE IF NOT EXISTS schema_functions ("
          " name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())") != 0)
    return -1;
  PGresult *applied = PQexecParams(owner, "SELECT name, checksum FROM schema_functions", 0, NULL, NULL, NULL, NULL, 0);
  if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
    PQclear(applied);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < set->function_count && rc == 0; i++) {
    const struct migration *f = &set->functions[i];
    if (functions_current(applied, f, 1)) continue;
    const char *params[2] = {f->name, f->checksum};
    if (run(owner, "BEGIN") != 0) {
      rc = -1;
      break;
    }
    PGresult *res = NULL;
    if (run(owner, f->sql) == 0) {
      res = PQexecParams(owner,
                         "INSERT INTO schema_functions (name, checksum) VALUES ($1, $2) ON CONFLICT (name) "
                         "DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
                         2, NULL, params, NULL, NULL, 0);
    }
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK || run(owner, "COMMIT") != 0) {
      run(owner, "ROLLBACK");
      log_event(LOG_ERROR, NULL, "migration_failed", json_pack("{s:s}", "file", f->name));
      rc = -1;
    } else {
      log_event(LOG_INFO, NULL, "functions_applied", json_pack("{s:s}", "file", f->name));
    }
    PQclear(res);
  }
  PQclear(applied);
  return rc;
}

int migrations_apply(PGconn *owner, const struct migration_set *set) {
  /* Trusted, constant SQL only: migration files come from the release, never from users. */
  if (run(owner, "SET client_min_messages = warning") != 0) return -1; /* no "already exists" notices */
  if (run(owner, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")") != 0) return -1;
  int rc = -1;
  if (run(owner,
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())") != 0)
    goto unlock;

  PGresult *applied = PQexecParams(owner, "SELECT version, checksum FROM schema_migrations ORDER BY version", 0, NULL,
                                   NULL, NULL, NULL, 0);
  if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
    PQclear(applied);
    goto unlock;
  }
  enum migration_state state = compare(applied, set);
  int applied_rows = PQntuples(applied);
  PQclear(applied);
  if (state == MIGRATIONS_MISMATCH) goto unlock;

  for (size_t i = (size_t)applied_rows; i < set->count; i++) {
    const struct migration *m = &set->items[i];
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[3] = {version, m->name, m->checksum};
    if (run(owner, "BEGIN") != 0) goto unlock;
    PGresult *res = NULL;
    if (run(owner, m->sql) == 0) {
      res = PQexecParams(owner, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3, NULL,
                         params, NULL, NULL, 0);
    }
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK || run(owner, "COMMIT") != 0) {
      PQclear(res);
      run(owner, "ROLLBACK");
      log_event(LOG_ERROR, NULL, "migration_failed", json_pack("{s:s}", "file", m->name));
      goto unlock;
    }
    PQclear(res);
    log_event(LOG_INFO, NULL, "migration_applied", json_pack("{s:s}", "file", m->name));
  }
  if (apply_functions(owner, set) != 0) goto unlock;
  if (run(owner, "GRANT SELECT ON schema_migrations, schema_functions TO noaber_api") != 0) goto unlock;
  rc = 0;
unlock:
  run(owner, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
  return rc;
}

enum migration_state migrations_check(struct db_conn *conn, const struct migration_set *set) {
  PGresult *res = NULL;
  if (db_query(conn, "migrations_list", 0, NULL, &res) != DB_OK) return MIGRATIONS_UNKNOWN;
  enum migration_state state = compare(res, set);
  PQclear(res);
  if (state != MIGRATIONS_CURRENT) return state;
  if (db_query(conn, "migrations_functions_list", 0, NULL, &res) != DB_OK) return MIGRATIONS_UNKNOWN;
  if (!functions_current(res, set->functions, set->function_count)) state = MIGRATIONS_PENDING;
  PQclear(res);
  return state;
}
