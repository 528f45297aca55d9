#ifndef NOABER_STATEMENTS_H
#define NOABER_STATEMENTS_H

/* The one list of every module's prepared statements. `noaber serve`, `noaber statements` and the
 * plan tests (tests/plans) register them all through it, so they prepare the same set. */

/* Register every module's statements with db_register_statements(); call once, before
 * db_pool_start(). Returns 0, or -1 when out of memory (some may then be registered;
 * db_pool_stop() frees the registration). */
int statements_register_all(void);

#endif
