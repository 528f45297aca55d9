/* noaber: the Noaber API server and its maintenance commands. */
#include <jansson.h>
#include <orcania.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../api/metrics.h"
#include "../api/routes.h"
#include "../api/server.h"
#include "../src/auth.h"
#include "../src/db/db.h"
#include "../src/db/migrate.h"
#include "../src/invitations.h"
#include "../src/seed.h"
#include "../src/statements.h"
#include "../src/support/config.h"
#include "../src/support/log.h"
#include "../src/volunteers.h"

#define EXIT_CONFIG 2

/* NOABER_SHARE_DIR when it is not set: the `share` directory beside the binary (build/share for
 * build/noaber), so a checkout or an installation can move. Owned; set once in main. */
static char *share_beside_binary;

static const char *env_lookup(const char *name) {
  const char *value = getenv(name);
  if (value == NULL && strcmp(name, "NOABER_SHARE_DIR") == 0) return share_beside_binary;
  return value;
}

/* share_beside_binary from /proc/self/exe; left NULL (config's default applies) when unknown. */
static void find_share_beside_binary(void) {
  char *exe = realpath("/proc/self/exe", NULL); /* malloc'd by libc */
  char *slash = exe != NULL ? strrchr(exe, '/') : NULL;
  if (slash != NULL) {
    *slash = '\0';
    share_beside_binary = msprintf("%s/share", exe);
  }
  free(exe);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: noaber COMMAND\n"
          "  serve       serve the API (configuration from the environment; see README.md)\n"
          "  migrate     apply the database migrations (NOABER_MIGRATION_DATABASE_URL)\n"
          "  seed-demo   load the demo communities and accounts\n"
          "  routes      print every route the server registers\n"
          "  statements  print every prepared statement as one JSON object {name: SQL} (bench/http-bench.sh)\n");
}

static int load_migrations(const struct config *cfg, struct migration_set *set) {
  char *dir = msprintf("%s/migrations", cfg->share_dir);
  char *functions = msprintf("%s/functions", cfg->share_dir);
  int rc = dir != NULL && functions != NULL ? migrations_load(dir, functions, set) : -1;
  if (rc != 0)
    fprintf(stderr, "configuration error: NOABER_SHARE_DIR (%s) has no readable migrations\n", cfg->share_dir);
  o_free(dir);
  o_free(functions);
  return rc;
}

/* Connect, retrying for a while: in a fresh deployment PostgreSQL may still be starting. */
static PGconn *connect_with_retry(const char *conninfo) {
  for (int attempt = 0; attempt < 20; attempt++) {
    PGconn *pg = db_connect_direct(conninfo);
    if (pg != NULL) return pg;
    sleep(1);
  }
  return NULL;
}

static int query_int(PGconn *pg, const char *sql) {
  PGresult *res = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0);
  int value = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : -1;
  PQclear(res);
  return value;
}

/* The server's role must be unable to step around row-level security. */
static const char *unsafe_role_reason(PGconn *pg) {
  if (query_int(pg, "SELECT (rolsuper OR rolbypassrls)::int FROM pg_roles WHERE rolname = current_user") != 0)
    return "DATABASE_URL connects as a superuser or a role that bypasses row-level security";
  if (query_int(
          pg,
          "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)") != 0)
    return "DATABASE_URL connects as a role that owns tables; use a role that owns nothing";
  return NULL;
}

static int check_database(const struct config *cfg, const struct migration_set *set) {
  PGconn *pg = connect_with_retry(cfg->database_url);
  if (pg == NULL) {
    fprintf(stderr, "startup error: cannot connect with DATABASE_URL\n");
    return 1;
  }
  const char *unsafe = unsafe_role_reason(pg);
  int rc = 0;
  if (unsafe != NULL) {
    fprintf(stderr, "configuration error: %s\n", unsafe);
    rc = EXIT_CONFIG;
  }
  PGresult *applied = rc == 0 ? PQexecParams(pg, "SELECT version, checksum FROM schema_migrations ORDER BY version", 0,
                                             NULL, NULL, NULL, NULL, 0)
                              : NULL;
  if (rc == 0 && PQresultStatus(applied) != PGRES_TUPLES_OK) {
    fprintf(stderr, "startup error: the database has no migrations: run `noaber migrate`\n");
    rc = EXIT_CONFIG;
  }
  if (rc == 0) {
    size_t rows = (size_t)PQntuples(applied);
    for (size_t i = 0; i < rows && rc == 0; i++) {
      int version = atoi(PQgetvalue(applied, (int)i, 0));
      if (i >= set->count || set->items[i].version != version ||
          strcmp(set->items[i].checksum, PQgetvalue(applied, (int)i, 1)) != 0) {
        fprintf(stderr, "startup error: the database has an unknown or altered migration (version %d)\n", version);
        rc = EXIT_CONFIG;
      }
    }
    if (rc == 0 && rows < set->count) {
      fprintf(stderr, "startup error: %zu migration(s) not applied: run `noaber migrate`\n", set->count - rows);
      rc = EXIT_CONFIG;
    }
  }
  PQclear(applied);
  PQfinish(pg);
  return rc;
}

/* The SQL the server prepares, verbatim, so benchmark peers run the same statements. */
static int print_statements(void) {
  json_t *all = json_object();
  int rc = all != NULL && statements_register_all() == 0 ? 0 : 1;
  for (size_t i = 0; rc == 0 && i < db_statement_count(); i++) {
    const struct db_statement *st = db_statement_at(i);
    if (json_object_get(all, st->name) != NULL) {
      fprintf(stderr, "statements: the name %s is registered twice\n", st->name);
      rc = 1;
    } else if (json_object_set_new(all, st->name, json_string(st->sql)) != 0) {
      rc = 1;
    }
  }
  if (rc == 0 && (json_dumpf(all, stdout, JSON_INDENT(1) | JSON_SORT_KEYS) != 0 || fputc('\n', stdout) == EOF ||
                  fflush(stdout) != 0))
    rc = 1;
  if (rc != 0) fprintf(stderr, "statements: could not print the statements\n");
  json_decref(all);
  db_pool_stop(); /* frees the registration array */
  return rc;
}

static int serve(const struct config *cfg) {
  char err[512];
  struct migration_set set = {0};
  if (api_static_load(cfg->share_dir, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return EXIT_CONFIG;
  }
  int rc = load_migrations(cfg, &set) != 0 ? EXIT_CONFIG : check_database(cfg, &set);
  volunteers_configure(cfg->certificate_valid_days);
  if (rc == 0 &&
      (statements_register_all() != 0 || auth_init(cfg) != 0 || metrics_init(api_route_count) != 0 ||
       db_pool_start(cfg->database_url, cfg->db_pool_size, cfg->db_pool_wait_ms, cfg->db_statement_timeout_ms) != 0)) {
    fprintf(stderr, "startup error: out of memory\n");
    rc = 1;
  }
  if (rc == 0) rc = server_run(cfg, &set);
  db_pool_stop();
  metrics_free();
  migrations_free(&set);
  api_static_free();
  return rc;
}

static int migrate(const struct config *cfg) {
  struct migration_set set = {0};
  if (load_migrations(cfg, &set) != 0) return EXIT_CONFIG;
  PGconn *pg = connect_with_retry(cfg->migration_database_url);
  int rc = pg != NULL && migrations_apply(pg, &set) == 0 ? 0 : 1;
  if (pg == NULL) fprintf(stderr, "startup error: cannot connect with NOABER_MIGRATION_DATABASE_URL\n");
  PQfinish(pg);
  migrations_free(&set);
  return rc;
}

static int seed(const struct config *cfg) {
  if (auth_init(cfg) != 0) return 1;
  PGconn *pg = connect_with_retry(cfg->migration_database_url);
  int rc = pg != NULL && seed_demo(pg) == 0 ? 0 : 1;
  if (pg == NULL) fprintf(stderr, "startup error: cannot connect with NOABER_MIGRATION_DATABASE_URL\n");
  PQfinish(pg);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    usage(stderr);
    return EXIT_CONFIG;
  }
  const char *command = argv[1];
  if (strcmp(command, "routes") == 0) {
    api_routes_print(stdout);
    return 0;
  }
  if (strcmp(command, "statements") == 0) return print_statements();
  int needs = 0;
  if (strcmp(command, "serve") == 0)
    needs = CONFIG_NEEDS_DATABASE | CONFIG_NEEDS_HTTP | CONFIG_NEEDS_AUTH;
  else if (strcmp(command, "migrate") == 0 || strcmp(command, "seed-demo") == 0)
    needs = CONFIG_NEEDS_MIGRATION_DB;
  else {
    usage(strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 ? stdout : stderr);
    return strcmp(command, "help") == 0 || strcmp(command, "--help") == 0 ? 0 : EXIT_CONFIG;
  }
  if (sodium_init() < 0) {
    fprintf(stderr, "startup error: libsodium could not initialise\n");
    return 1;
  }
  struct config cfg;
  char err[512];
  find_share_beside_binary();
  int loaded = config_load(&cfg, needs, env_lookup, err, sizeof err);
  o_free(share_beside_binary); /* config_load copied what it used */
  share_beside_binary = NULL;
  if (loaded != 0) {
    fprintf(stderr, "%s\n", err);
    return EXIT_CONFIG;
  }
  if (!invitations_lifetime_allowed(cfg.invitation_default_hours)) {
    fprintf(stderr, "configuration error: NOABER_INVITATION_DEFAULT_HOURS must be a whole number from %d to %d\n",
            INVITATION_MIN_HOURS, INVITATION_MAX_HOURS);
    config_free(&cfg);
    return EXIT_CONFIG;
  }
  if (log_init(cfg.log_level) != 0) {
    fprintf(stderr, "startup error: logging could not start\n");
    config_free(&cfg);
    return 1;
  }
  int rc = strcmp(command, "serve") == 0 ? serve(&cfg) : strcmp(command, "migrate") == 0 ? migrate(&cfg) : seed(&cfg);
  log_close();
  config_free(&cfg);
  return rc;
}
