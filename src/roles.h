#ifndef NOABER_ROLES_H
#define NOABER_ROLES_H

#include <jansson.h>

/* Roles a membership can hold, as bits so a membership's set fits in one value. */
enum role {
  ROLE_RESIDENT = 1 << 0,
  ROLE_VOLUNTEER = 1 << 1,
  ROLE_COORDINATOR = 1 << 2,
  ROLE_PROFESSIONAL = 1 << 3,
  ROLE_ADMIN = 1 << 4,
  ROLE_GUEST = 1 << 5, /* an outside professional: only the cases they were invited to */
};

/* The role with this name, or 0. */
unsigned role_from_name(const char *name);
/* Parse "resident,volunteer" (PostgreSQL's array text "{resident,volunteer}" too). Unknown
 * names are ignored. */
unsigned roles_parse(const char *list);
/* The roles named in a JSON array of strings; 0 for anything else. Unknown names are ignored. */
unsigned roles_from_json(const json_t *names);
/* A JSON array of role names in a fixed order. New reference, NULL when out of memory. */
json_t *roles_to_json(unsigned roles);
/* The JSON array of role names as text, for a statement parameter ($n::jsonb). A new string the
 * caller free()s; NULL when out of memory. */
char *roles_to_json_text(unsigned roles);
/* "a,b" into buf (at least 80 bytes). */
void roles_to_list(unsigned roles, char *buf, size_t len);

/* The actor of a request inside one community. */
struct actor {
  const char *person_id;    /* always set for authenticated requests */
  const char *community_id; /* NULL outside community routes */
  unsigned roles;           /* roles in community_id */
  /* The desk acting for someone (src/on_behalf.h): that person and the channel, which the
   * histories an action writes record; both NULL when the actor acts for herself. */
  const char *on_behalf_of;
  const char *channel;
};

/* Whether the actor runs the community's desk (coordinator or admin). */
int actor_manages(const struct actor *actor);
/* Whether the actor holds no role but guest: an outside professional who sees only their cases. */
int actor_guest_only(const struct actor *actor);

#endif
