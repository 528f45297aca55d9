#ifndef NOABER_MIGRATE_H
#define NOABER_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "db.h"

/* One numbered migration file, sql/migrations/NNNN_name.sql, or one repeatable function file,
 * sql/functions/name.sql (version 0). */
struct migration {
  int version;
  char *name;        /* owned: file name */
  char *sql;         /* owned: file contents */
  char checksum[65]; /* SHA-256, hex */
};

struct migration_set {
  struct migration *items; /* owned, sorted by version */
  size_t count;
  struct migration *functions; /* owned, sorted by name */
  size_t function_count;
};

enum migration_state {
  MIGRATIONS_CURRENT,  /* the database has exactly the files' migrations */
  MIGRATIONS_PENDING,  /* some files are not applied yet, or a function file changed since */
  MIGRATIONS_MISMATCH, /* the database has a migration we do not know, or one was altered */
  MIGRATIONS_UNKNOWN,  /* could not ask the database */
};

/* Read every NNNN_*.sql file of `migrations_dir` and every *.sql file of `functions_dir` into
 * *out. Returns 0, or -1 with the reason logged and *out empty. Free with migrations_free(). */
int migrations_load(const char *migrations_dir, const char *functions_dir, struct migration_set *out);
void migrations_free(struct migration_set *set);

/* Apply the missing migrations in order, each in its own transaction with its checksum
 * recorded, under an advisory lock so two migrators never race; then every function file that
 * is new or changed (CREATE OR REPLACE statements, re-applied whole; schema_functions keeps
 * their checksums). Refuses (returns -1) when the database holds an unknown or altered
 * migration. `owner` is a connection as the schema owner. */
int migrations_apply(PGconn *owner, const struct migration_set *set);

/* Compare the database with the files through a pooled connection. */
enum migration_state migrations_check(struct db_conn *conn, const struct migration_set *set);

/* The prepared statements migrations_check needs. */
int migrations_register_statements(void);

#endif
