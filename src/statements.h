#ifndef NOABER_STATEMENTS_H
#define NOABER_STATEMENTS_H

/* Register every module's prepared statements with the db pool (db_register_statements), in one
 * place for the server (src/main.c) and the plan tests (tests/plans), so both prepare the same
 * set. Call once, before db_pool_start. Returns 0, or -1 when out of memory (then some modules
 * may be registered already; db_pool_stop() frees the registration). */
int statements_register_all(void);

#endif
