#include "desk_rules.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[HELP_STATUS_COUNT] = {"submitted", "triaged", "referred", "rejected",
                                                            "offered",   "matched", "done",     "cancelled"};
static const char *const action_names[ACTION_COUNT] = {"triage",  "refer",     "reject", "cancel", "offer",  "board",
                                                       "confirm", "ask-other", "match",  "finish", "release"};

const char *help_status_name(enum help_status status) {
  return (unsigned)status < HELP_STATUS_COUNT ? status_names[status] : "unknown";
}

int help_status_from_name(const char *name) {
  for (int i = 0; name != NULL && i < HELP_STATUS_COUNT; i++)
    if (strcmp(status_names[i], name) == 0) return i;
  return -1;
}

const char *help_action_name(enum help_action action) {
  return (unsigned)action < ACTION_COUNT ? action_names[action] : "unknown";
}

int help_action_from_name(const char *name) {
  for (int i = 0; name != NULL && i < ACTION_COUNT; i++)
    if (i != ACTION_MATCH && i != ACTION_FINISH && i != ACTION_RELEASE && strcmp(action_names[i], name) == 0) return i;
  return -1;
}

/* One row per action: the status it leads to from each status, -1 where it is not allowed.
 * Reading a column tells what can happen to a request in that status. */
#define NO -1
static const int transitions[ACTION_COUNT][HELP_STATUS_COUNT] = {
    /*             submitted      triaged        referred rejected offered        matched         done cancelled */
    /* Triaging again chooses another track; the history keeps the earlier one. */
    [ACTION_TRIAGE] = {HELP_TRIAGED, HELP_TRIAGED, NO, NO, NO, NO, NO, NO},
    [ACTION_REFER] = {HELP_REFERRED, HELP_REFERRED, NO, NO, NO, NO, NO, NO},
    [ACTION_REJECT] = {HELP_REJECTED, NO, NO, NO, NO, NO, NO, NO},
    [ACTION_CANCEL] = {HELP_CANCELLED, HELP_CANCELLED, NO, NO, HELP_CANCELLED, HELP_CANCELLED, NO, NO},
    [ACTION_OFFER] = {NO, HELP_OFFERED, NO, NO, HELP_OFFERED, NO, NO, NO},
    [ACTION_BOARD] = {NO, HELP_TRIAGED, NO, NO, HELP_OFFERED, NO, NO, NO},
    [ACTION_CONFIRM] = {NO, NO, NO, NO, NO, HELP_MATCHED, NO, NO},
    [ACTION_ASK_OTHER] = {NO, NO, NO, NO, NO, HELP_TRIAGED, NO, NO},
    [ACTION_MATCH] = {NO, HELP_MATCHED, NO, NO, HELP_MATCHED, NO, NO, NO},
    [ACTION_FINISH] = {NO, NO, NO, NO, NO, HELP_DONE, NO, NO},
    /* Like ask-other: the request goes back to the desk to find someone else. */
    [ACTION_RELEASE] = {NO, NO, NO, NO, NO, HELP_TRIAGED, NO, NO},
};
#undef NO

int help_transition(enum help_status from, enum help_action action) {
  if ((unsigned)from >= HELP_STATUS_COUNT || (unsigned)action >= ACTION_COUNT) return -1;
  return transitions[action][from];
}

const char *const help_track_names[TRACK_COUNT + 1] = {"informal", "professional", "business", "wmo_avoided", NULL};

const char *help_track_name(int track) { return track >= 0 && track < TRACK_COUNT ? help_track_names[track] : NULL; }

int help_track_from_name(const char *name) {
  for (int i = 0; name != NULL && i < TRACK_COUNT; i++)
    if (strcmp(help_track_names[i], name) == 0) return i;
  return TRACK_NONE;
}

enum track_check help_action_track(enum help_action action, int given, int *track) {
  *track = TRACK_NONE;
  switch (action) {
    case ACTION_TRIAGE:
      if (given < 0 || given >= TRACK_COUNT) return TRACK_MISSING;
      *track = given;
      return TRACK_OK;
    case ACTION_REFER:
      if (given == TRACK_NONE) given = TRACK_PROFESSIONAL;
      if (!help_track_refers(given)) return TRACK_NOT_ALLOWED;
      *track = given;
      return TRACK_OK;
    default:
      return given == TRACK_NONE ? TRACK_OK : TRACK_NOT_ALLOWED;
  }
}

int help_track_refers(int track) { return track == TRACK_PROFESSIONAL || track == TRACK_BUSINESS; }

enum policy_rule policy_check(const struct category_policy *policy, int recurrence_days, long window_minutes) {
  if (recurrence_days > 0 && !policy->may_recur) return POLICY_NOT_RECURRING;
  if (policy->max_duration_minutes > 0 && window_minutes > policy->max_duration_minutes) return POLICY_TOO_LONG;
  if (recurrence_days > 0 && policy->max_per_month > 0) {
    /* Occurrences in an average month: 30.44 days / interval. */
    double per_month = 30.44 / recurrence_days;
    if (per_month > policy->max_per_month) return POLICY_TOO_FREQUENT;
  }
  return POLICY_OK;
}

const char *policy_rule_code(enum policy_rule rule) {
  switch (rule) {
    case POLICY_NOT_RECURRING:
      return "not_recurring";
    case POLICY_TOO_LONG:
      return "too_long";
    case POLICY_TOO_FREQUENT:
      return "too_frequent";
    case POLICY_OK:
    default:
      return "ok";
  }
}

const char *policy_rule_message(enum policy_rule rule) {
  switch (rule) {
    case POLICY_NOT_RECURRING:
      return "volunteers do this kind of help once, not as a recurring task";
    case POLICY_TOO_LONG:
      return "this is longer than volunteers may spend on this kind of help";
    case POLICY_TOO_FREQUENT:
      return "this recurs more often than volunteers may do this kind of help";
    case POLICY_OK:
    default:
      return "allowed";
  }
}

/* Weights of the ranking factors; they add up to 1 so the score stays within 0..1. */
#define WEIGHT_DISTANCE 0.30
#define WEIGHT_CONTINUITY 0.30
#define WEIGHT_LOAD 0.25
#define WEIGHT_PREFERRED 0.15
#define DISTANCE_SCALE_KM 20.0 /* at this distance or further the distance factor is 0 */
#define CONTINUITY_FULL 3      /* helping three times counts as a steady helper */

/* A declined offer says less than a helper who gave the request back. */
#define PENALTY_FACTOR_DECLINED 0.8
#define PENALTY_FACTOR_RELEASED 0.5

enum match_penalty match_penalty_from_name(const char *name) {
  if (name != NULL && strcmp(name, "released") == 0) return PENALTY_RELEASED;
  if (name != NULL && strcmp(name, "declined") == 0) return PENALTY_DECLINED;
  return PENALTY_NONE;
}

const char *match_penalty_name(enum match_penalty penalty) {
  return penalty == PENALTY_RELEASED ? "released" : penalty == PENALTY_DECLINED ? "declined" : NULL;
}

double match_penalty_factor(enum match_penalty penalty) {
  return penalty == PENALTY_RELEASED   ? PENALTY_FACTOR_RELEASED
         : penalty == PENALTY_DECLINED ? PENALTY_FACTOR_DECLINED
                                       : 1.0;
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

void match_rank(const struct match_input *in, struct match_factors *out) {
  out->distance = clamp01(1.0 - in->km / DISTANCE_SCALE_KM);
  /* "As much as possible the same helpers", unless it did not click. */
  out->continuity = in->helped_bad > 0 ? 0.0 : clamp01((double)in->helped_good / CONTINUITY_FULL);
  /* Spread the work: fewer recent hours relative to capacity ranks higher. */
  out->load = in->capacity_hours > 0 ? clamp01(1.0 - in->hours_28d / (in->capacity_hours * 4.0)) : 0.0;
  out->preferred = in->preferred ? 1.0 : 0.0;
  out->score = (WEIGHT_DISTANCE * out->distance + WEIGHT_CONTINUITY * out->continuity + WEIGHT_LOAD * out->load +
                WEIGHT_PREFERRED * out->preferred) *
               match_penalty_factor(in->penalty);
}

void match_reason(const struct match_input *in, char *out, size_t len) {
  int n = snprintf(out, len, "%.1f km away", in->km);
  if (n < 0 || (size_t)n >= len) return;
  size_t used = (size_t)n;
  if (in->helped_bad > 0)
    used += (size_t)snprintf(out + used, len - used, "; earlier help for this resident got negative feedback");
  else if (in->helped_good > 0)
    used += (size_t)snprintf(out + used, len - used, "; helped this resident %ld time%s", in->helped_good,
                             in->helped_good == 1 ? "" : "s");
  if (used < len)
    used += (size_t)snprintf(out + used, len - used, "; %.1f of %.1f hours used in four weeks", in->hours_28d,
                             in->capacity_hours * 4.0);
  if (in->preferred && used < len) used += (size_t)snprintf(out + used, len - used, "; preferred by the resident");
  if (in->penalty == PENALTY_DECLINED && used < len)
    snprintf(out + used, len - used, "; declined an earlier request of this resident");
  else if (in->penalty == PENALTY_RELEASED && used < len)
    snprintf(out + used, len - used, "; gave an earlier request of this resident back");
}
