#ifndef NOABER_PEOPLE_H
#define NOABER_PEOPLE_H

#include "db/db.h"
#include "precondition.h"
#include "result.h"
#include "roles.h"

/* People the desk keeps (issue 13): residents and volunteers who may have no app and no login,
 * registered by a coordinator with a phone, an address and how they are to be reached. A person
 * with a login of their own keeps their name and e-mail address; the desk may still change their
 * phone, address and contact channel (a resident who asks by phone).
 * Ownership as result.h says: inputs borrowed, an out parameter the caller's on success only. */

int people_register_statements(void);

/* Room for a postcode as people_postcode_normalise() writes it. */
#define PEOPLE_POSTCODE_SIZE 13

/* A postcode as stored: a Dutch one ("1234 ab", "1234AB", " 1234  Ab ") as "1234AB"; any other
 * (a Belgian "2000", a German "10115") as typed, without leading and trailing blanks. Returns 1
 * when it was read as Dutch, 0 when kept as typed, -1 when it does not fit (empty, or more than
 * PEOPLE_POSTCODE_SIZE - 1 bytes once trimmed). Pure. */
int people_postcode_normalise(const char *typed, char out[PEOPLE_POSTCODE_SIZE]);

/* The LIKE pattern (with its % on both sides, and %, _ and \ escaped) that finds `q` in a member's
 * search text (sql/migrations/0019_people.sql): a phone number in any Dutch or international
 * notation as its E.164 form, a partial number ("5678", "12 34") as its digits, anything else as
 * typed (PostgreSQL folds case and accents of both sides). NULL when out of memory, else a new
 * string the caller o_free()s. Pure. */
char *people_search_pattern(const char *q);

/* Register a person without a login as a member of the actor's community (coordinator, admin):
 * `body` {display_name, phone, email?, address?, contact_channel?, roles}. RESULT_CREATED with the
 * Person document in *out (new reference); RESULT_CONFLICT with the extension existing_person_id
 * when a live member of this community has that phone, or when the e-mail address is taken;
 * RESULT_INVALID with field errors for a body that breaks the rules. */
enum result people_create(struct db_conn *conn, const struct actor *actor, json_t *body, json_t **out,
                          struct result_info *info);

/* The Person document of a live member of the actor's community (coordinator, admin). */
enum result people_get(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t **out,
                       struct result_info *info);

/* Change a member's person (coordinator, admin) when `if_match` names the current Person document:
 * any of display_name, email (null removes it), phone, address (null removes it), contact_channel.
 * A person with a login keeps their own name and e-mail address (RESULT_FORBIDDEN). */
enum result people_update(struct db_conn *conn, const struct actor *actor, const char *person_id, json_t *body,
                          const struct precondition *if_match, json_t **out, struct result_info *info);

/* Whether `person_id` is a live member of the actor's community without a login (an invitation
 * for them attaches one): RESULT_OK, RESULT_UNPROCESSABLE (field person_id) otherwise. */
enum result people_check_invitable(struct db_conn *conn, const struct actor *actor, const char *person_id,
                                   struct result_info *info);

#endif
