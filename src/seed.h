#ifndef NOABER_SEED_H
#define NOABER_SEED_H

#include <libpq-fe.h>

/* Load the demo community data (two communities, seven accounts with password noaber-demo).
 * Idempotent: what exists is left as it is. `owner` is a connection as the schema owner; the
 * inserts run under row-level security with the context each row needs. Returns 0 or -1.
 * Needs auth_init() for password hashing. */
int seed_demo(PGconn *owner);

#endif
