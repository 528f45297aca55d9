#ifndef NOABER_DESK_RULES_H
#define NOABER_DESK_RULES_H

#include <stddef.h>

/* The desk's pure rules: the help request state machine, category policies and how matching
 * ranks volunteers. No database, no HTTP: unit-tested on their own. */

enum help_status {
  HELP_SUBMITTED,
  HELP_TRIAGED,
  HELP_REFERRED,
  HELP_REJECTED,
  HELP_OFFERED,
  HELP_MATCHED,
  HELP_DONE,
  HELP_CANCELLED,
  HELP_STATUS_COUNT
};

enum help_action {
  ACTION_TRIAGE,
  ACTION_REFER,
  ACTION_REJECT,
  ACTION_CANCEL,
  ACTION_OFFER,
  ACTION_BOARD,
  ACTION_CONFIRM,
  ACTION_ASK_OTHER,
  ACTION_MATCH,   /* a volunteer accepted an offer or claimed from the board */
  ACTION_FINISH,  /* the last occurrence was completed */
  ACTION_RELEASE, /* the matched volunteer stepped back before an occurrence started */
  ACTION_COUNT
};

/* The status's name in the API (its labels in people's languages are api/language.h's). */
const char *help_status_name(enum help_status status);
/* The status with this name, or -1. */
int help_status_from_name(const char *name);
const char *help_action_name(enum help_action action);
/* A client-callable action by its path name (triage, refer, reject, cancel, offer, board,
 * confirm, ask-other), or -1; match, finish and release happen only through their own routes. */
int help_action_from_name(const char *name);

/* The status after `action` in `from`, or -1 when the action is not allowed there. */
int help_transition(enum help_status from, enum help_action action);

/* What the desk decided a request needs (issue 13): the community helps (informal), referred to
 * the wijkteam or care (professional), a paid firm (business), informal help instead of a Wmo
 * provision (wmo_avoided). */
enum help_track { TRACK_INFORMAL, TRACK_PROFESSIONAL, TRACK_BUSINESS, TRACK_WMO_AVOIDED, TRACK_COUNT };
#define TRACK_NONE (-1)

/* The track's name in the API, or NULL for TRACK_NONE or anything else. */
const char *help_track_name(int track);
/* The track with this name, or TRACK_NONE. */
int help_track_from_name(const char *name);
/* The track names, NULL-terminated (a FIELD_ENUM's choices). */
extern const char *const help_track_names[];

enum track_check {
  TRACK_OK,
  TRACK_MISSING,     /* triage needs a track */
  TRACK_NOT_ALLOWED, /* a track this action does not take */
};
/* The track `action` records when the caller gave `given` (TRACK_NONE: none), into *track:
 * triage requires one (a re-triage chooses again); refer means professional unless the caller
 * says business (a paid firm is referred to as well); every other action takes none and records
 * none (*track = TRACK_NONE). */
enum track_check help_action_track(enum help_action action, int given, int *track);
/* Whether a request on this track may be handed to a receiver, a referral record: professional
 * and business. */
int help_track_refers(int track);

/* A category's rules for what volunteers may do. Zero limits mean "no limit". */
struct category_policy {
  int may_recur;
  int max_per_month;
  int max_duration_minutes;
};

enum policy_rule { POLICY_OK, POLICY_NOT_RECURRING, POLICY_TOO_LONG, POLICY_TOO_FREQUENT };

/* Check a request against its category: `recurrence` is 0 (one-off), 7 (weekly) or 14 (every two
 * weeks); `window_minutes` is 0 for a needed-by request. */
enum policy_rule policy_check(const struct category_policy *policy, int recurrence_days, long window_minutes);
const char *policy_rule_code(enum policy_rule rule);
const char *policy_rule_message(enum policy_rule rule);

/* Why a volunteer ranks lower for a resident: they declined one of her offers, or gave one of
 * her requests back (stepped back, or she asked for someone else). */
enum match_penalty { PENALTY_NONE, PENALTY_DECLINED, PENALTY_RELEASED };

/* The penalty named by volunteer_candidates ("declined", "released"; NULL or anything else:
 * none), its name (NULL for none) and the factor the score is multiplied by (1 for none). */
enum match_penalty match_penalty_from_name(const char *name);
const char *match_penalty_name(enum match_penalty penalty);
double match_penalty_factor(enum match_penalty penalty);

/* What matching knows about one eligible volunteer. */
struct match_input {
  double km;
  long helped_good;      /* done occurrences for this resident without negative feedback */
  long helped_bad;       /* occurrences for this resident with negative feedback */
  double hours_28d;      /* matched and done hours in the last four weeks */
  double capacity_hours; /* per week */
  int preferred;         /* on the resident's preferred list */
  enum match_penalty penalty;
};

struct match_factors {
  double distance, continuity, load, preferred; /* each 0..1, higher is better */
  double score;                                 /* weighted sum, 0..1 */
};

/* Factors and score for one volunteer: the weighted factors times the penalty's factor. Cannot
 * fail. */
void match_rank(const struct match_input *in, struct match_factors *out);

/* A short English reason for the coordinator ("1.2 km away; helped this resident 2 times with
 * good feedback; ..."), written into out (len bytes, always terminated). */
void match_reason(const struct match_input *in, char *out, size_t len);

#endif
