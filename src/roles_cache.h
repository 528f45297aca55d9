#ifndef NOABER_ROLES_CACHE_H
#define NOABER_ROLES_CACHE_H

#include <stddef.h>

/*
 * The roles a person last held in a community, as the membership lookup printed them
 * (MEMBERS_ROLES_STATEMENT). A prediction only: api/server.c sends the lookup in the same round
 * trip as a GET's first query (db_expect) and starts over when it no longer holds, so a stale
 * entry costs a round trip, never access. Bounded (a fixed table; a newer entry takes the slot of
 * an older one) and safe to use from every request thread.
 */

/* Copy the predicted roles text into out (len bytes). 1 when there was one, else 0. */
int roles_cache_get(const char *person_id, const char *community_id, char *out, size_t len);
/* Remember what the lookup answered; an empty text (no membership) forgets instead. */
void roles_cache_put(const char *person_id, const char *community_id, const char *roles_text);
void roles_cache_forget(const char *person_id, const char *community_id);

#endif
