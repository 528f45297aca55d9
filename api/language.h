#ifndef NOABER_API_LANGUAGE_H
#define NOABER_API_LANGUAGE_H

#include <jansson.h>

/*
 * The language a person reads (issue 12): Dutch (nl, the default) or English (en).
 *
 * The code writes every user-facing text in English, the source language; texts.json in the
 * share directory (from i18n/texts.json) holds the Dutch for each, in plain language (B1), and
 * the status labels and "what happens next" sentences in both languages. The edge translates on
 * the way out: problem titles, details, field error and rule messages, suggestion reasons, and
 * the labels it adds to documents. A text the catalogue lacks goes out as it is (English).
 *
 * A catalogue text may hold `{}` placeholders, each one word: "a whole number from {} to {}"
 * translates "a whole number from 1 to 100" with the same values in the Dutch sentence's
 * placeholders (a decimal point becomes a comma). `{rest}`, only at the end, takes the rest of
 * the text as it is (a parser's message in "the body is not valid JSON: {rest}").
 *
 * Everything returned is read-only and lives until language_unload(); the catalogue is never
 * changed after language_load(), so any thread may read it.
 */

/* Read <share_dir>/texts.json. 0, or -1 with a message in err. */
int language_load(const char *share_dir, char *err, size_t err_len);
void language_unload(void);

/* "en" or "nl" (static strings): the first of the two that Accept-Language ranks highest
 * (q-values honoured, q=0 never), else `fallback` when it is "en" or "nl", else "nl". Either
 * argument may be NULL. */
const char *language_negotiate(const char *accept_language, const char *fallback);

/* `english` in `language`: the catalogue's text, or a new string with the placeholders filled
 * when a template matched (*owned is set to it: the caller o_free()s), or `english` itself. */
const char *language_text(const char *language, const char *english, char **owned);

/* Translate a problem document in place: title, detail, errors[].message, rule.message. */
void language_problem(json_t *problem, const char *language);

/* A suggestion's reason: parts joined by "; ", each translated. New string (o_free), or NULL
 * when out of memory. */
char *language_reason(const char *language, const char *english);

/* The label of `status` for a document `kind` (help_request, offer, occurrence, case,
 * case_action), and for help requests the sentence that says what happens next; NULL when the
 * catalogue has none. */
const char *language_label(const char *language, const char *kind, const char *status);
const char *language_next_step(const char *language, const char *kind, const char *status);

#endif
