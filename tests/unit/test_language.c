/* The language a person reads (api/language.h): negotiation, the catalogue's templates, reasons
 * and labels, with the project's own catalogue (i18n/texts.json; the tests run from the
 * repository's root). */
#include <check.h>
#include <jansson.h>
#include <orcania.h>
#include <string.h>

#include "../../api/language.h"
#include "suites.h"

static void load(void) {
  char err[256] = "";
  ck_assert_msg(language_load("i18n", err, sizeof err) == 0, "%s", err);
}

static void unload(void) { language_unload(); }

START_TEST(negotiates_with_quality) {
  ck_assert_str_eq(language_negotiate(NULL, NULL), "nl");
  ck_assert_str_eq(language_negotiate("", NULL), "nl");
  ck_assert_str_eq(language_negotiate("en", NULL), "en");
  ck_assert_str_eq(language_negotiate("en-GB,en;q=0.9", NULL), "en");
  ck_assert_str_eq(language_negotiate("NL-nl", "en"), "nl");
  /* the highest quality wins, not the first listed */
  ck_assert_str_eq(language_negotiate("en;q=0.2, nl;q=0.8", NULL), "nl");
  ck_assert_str_eq(language_negotiate("de, en;q=0.5", NULL), "en");
  /* q=0 means "not this one" */
  ck_assert_str_eq(language_negotiate("en;q=0", NULL), "nl");
  /* neither named: the person's stored language, else Dutch */
  ck_assert_str_eq(language_negotiate("de, fr", "en"), "en");
  ck_assert_str_eq(language_negotiate("de", "xx"), "nl");
  ck_assert_str_eq(language_negotiate("*", "en"), "en");
  /* of equals, the first listed */
  ck_assert_str_eq(language_negotiate("nl;q=0.5, en;q=0.5", NULL), "nl");
  ck_assert_str_eq(language_negotiate("english, nl", NULL), "nl");
}
END_TEST

START_TEST(translates_exact_and_templates) {
  load();
  char *owned = NULL;
  const char *t = language_text("nl", "this field is required", &owned);
  ck_assert_ptr_null(owned);
  ck_assert_str_eq(t, "dit moet u invullen");
  ck_assert_str_eq(language_text("en", "this field is required", &owned), "this field is required");
  t = language_text("nl", "a whole number from 1 to 100", &owned);
  ck_assert_ptr_nonnull(owned);
  ck_assert_str_eq(t, "een heel getal van 1 tot en met 100");
  o_free(owned);
  /* a value is one word: this is the longer template, not the shorter one with "100, or null" */
  t = language_text("nl", "a whole number from 1 to 100, or null", &owned);
  ck_assert_str_eq(t, "een heel getal van 1 tot en met 100, of null");
  o_free(owned);
  /* {rest} takes the rest of the text, spaces and all */
  t = language_text("nl", "the body is not valid JSON: '[' or '{' expected near 'null' (line 1, column 4)", &owned);
  ck_assert_str_eq(t, "De gegevens zijn geen geldige JSON: '[' or '{' expected near 'null' (line 1, column 4)");
  o_free(owned);
  /* unknown text goes out as it is */
  t = language_text("nl", "something nobody wrote down", &owned);
  ck_assert_ptr_null(owned);
  ck_assert_str_eq(t, "something nobody wrote down");
  t = language_text("nl", "a whole number from to", &owned);
  ck_assert_ptr_null(owned);
  ck_assert_str_eq(t, "a whole number from to");
  unload();
}
END_TEST

START_TEST(translates_problems_and_reasons) {
  load();
  json_t *problem = json_pack("{s:s, s:s, s:[{s:s, s:s}], s:{s:s}}", "title", "Not found", "detail", "no such resource",
                              "errors", "field", "limit", "message", "this field is required", "rule", "message",
                              "volunteers do this kind of help once, not as a recurring task");
  language_problem(problem, "nl");
  ck_assert_str_eq(json_string_value(json_object_get(problem, "title")), "Niet gevonden");
  ck_assert_str_eq(json_string_value(json_object_get(problem, "detail")), "Dit bestaat niet, of u mag het niet zien.");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(problem, "errors"), 0), "message")),
                   "dit moet u invullen");
  ck_assert(strstr(json_string_value(json_object_get(json_object_get(problem, "rule"), "message")), "Vrijwilligers") !=
            NULL);
  json_decref(problem);
  char *reason =
      language_reason("nl", "2.5 km away; helped this resident 2 times; 3.0 of 40.0 hours used in four weeks");
  ck_assert_str_eq(reason, "2,5 km verderop; hielp deze bewoner 2 keer; 3,0 van 40,0 uur gebruikt in vier weken");
  o_free(reason);
  reason = language_reason("en", "2.5 km away; preferred by the resident");
  ck_assert_str_eq(reason, "2.5 km away; preferred by the resident");
  o_free(reason);
  unload();
}
END_TEST

START_TEST(labels_every_status) {
  load();
  static const struct {
    const char *kind;
    const char *statuses[9];
  } kinds[] = {
      {"help_request", {"submitted", "triaged", "referred", "rejected", "offered", "matched", "done", "cancelled"}},
      {"offer", {"pending", "accepted", "declined", "withdrawn", "released"}},
      {"occurrence", {"open", "matched", "done", "cancelled"}},
      {"case", {"open", "closed"}},
      {"case_action", {"open", "in_progress", "done", "cancelled"}},
  };
  static const char *const languages[] = {"nl", "en"};
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
    for (size_t l = 0; l < 2; l++)
      for (size_t s = 0; kinds[k].statuses[s] != NULL; s++)
        ck_assert_msg(language_label(languages[l], kinds[k].kind, kinds[k].statuses[s]) != NULL, "%s %s %s",
                      languages[l], kinds[k].kind, kinds[k].statuses[s]);
  for (size_t l = 0; l < 2; l++)
    for (size_t s = 0; kinds[0].statuses[s] != NULL; s++)
      ck_assert_msg(language_next_step(languages[l], "help_request", kinds[0].statuses[s]) != NULL, "%s %s",
                    languages[l], kinds[0].statuses[s]);
  ck_assert_str_eq(language_label("nl", "help_request", "matched"), "Helper gevonden");
  for (size_t l = 0; l < 2; l++)
    ck_assert_ptr_nonnull(language_next_step(languages[l], "help_request", "matched_confirmed"));
  ck_assert_ptr_null(language_label("nl", "help_request", "unknown"));
  unload();
}
END_TEST

Suite *language_suite(void) {
  Suite *s = suite_create("language");
  TCase *tc = tcase_create("language");
  tcase_add_test(tc, negotiates_with_quality);
  tcase_add_test(tc, translates_exact_and_templates);
  tcase_add_test(tc, translates_problems_and_reasons);
  tcase_add_test(tc, labels_every_status);
  suite_add_tcase(s, tc);
  return s;
}
