#ifndef NOABER_DESK_SUMMARY_H
#define NOABER_DESK_SUMMARY_H

#include <jansson.h>

#include "db/db.h"
#include "result.h"
#include "roles.h"

/* The desk summary (issue 13, item 6): what the desk did in a period of days (Europe/Amsterdam,
 * both ends included), for the municipality that funds it: requests created by track, status and
 * category; matches made; hours done and who took part; referrals still open. The coordinators'
 * and admins'. Also as CSV (RFC 4180). Ownership as result.h says: inputs borrowed, *out a new
 * reference the caller owns on RESULT_OK only. */

/* The longest period one summary covers, in days (two years). */
#define DESK_SUMMARY_MAX_DAYS 731

int desk_summary_register_statements(void);

/* Days since 1970-01-01 of a YYYY-MM-DD date into *days: 0, or -1 when it is not valid_date().
 * Pure. */
int desk_summary_day_number(const char *date, long *days);

/* Whether the period's `from` and `to` (each NULL for its default: the first and the last day of
 * the other's month, or of the current month) are dates, in order, and at most
 * DESK_SUMMARY_MAX_DAYS long. 0, or -1 after adding field errors to info. Pure. */
int desk_summary_period_check(const char *from, const char *to, struct result_info *info);

/* The summary of the caller's community for the period (checked by desk_summary_period_check()),
 * category labels in `language` ("nl" or "en"). RESULT_FORBIDDEN for anyone but the desk; a
 * database failure as result_from_db() sets it. */
enum result desk_summary_get(struct db_conn *conn, const struct actor *actor, const char *from, const char *to,
                             const char *language, json_t **out, struct result_info *info);

/* The summary as CSV: a header row (section, key, label, value), then one record per count,
 * fields separated by `separator` (',' or ';'); with ';' decimals are written with a comma (as
 * Dutch Excel reads them). A new string the caller frees, or NULL when out of memory. Pure. */
char *desk_summary_csv(const json_t *summary, char separator);

#endif
