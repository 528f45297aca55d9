#include "roles.h"

#include <stdio.h>
#include <string.h>

static const struct {
  unsigned bit;
  const char *name;
} role_names[] = {
    {ROLE_RESIDENT, "resident"},         {ROLE_VOLUNTEER, "volunteer"}, {ROLE_COORDINATOR, "coordinator"},
    {ROLE_PROFESSIONAL, "professional"}, {ROLE_ADMIN, "admin"},         {ROLE_GUEST, "guest"},
};
#define ROLE_COUNT (sizeof role_names / sizeof role_names[0])

unsigned role_from_name(const char *name) {
  for (size_t i = 0; name != NULL && i < ROLE_COUNT; i++)
    if (strcmp(role_names[i].name, name) == 0) return role_names[i].bit;
  return 0;
}

unsigned roles_parse(const char *list) {
  unsigned roles = 0;
  if (list == NULL) return 0;
  const char *p = list;
  while (*p) {
    while (*p == '{' || *p == ',' || *p == '}' || *p == ' ') p++;
    const char *start = p;
    while (*p && *p != ',' && *p != '}') p++;
    size_t len = (size_t)(p - start);
    for (size_t i = 0; len > 0 && i < ROLE_COUNT; i++) {
      if (strlen(role_names[i].name) == len && strncmp(role_names[i].name, start, len) == 0) roles |= role_names[i].bit;
    }
  }
  return roles;
}

unsigned roles_from_json(const json_t *names) {
  unsigned roles = 0;
  size_t i;
  json_t *name;
  json_array_foreach(names, i, name) roles |= role_from_name(json_string_value(name));
  return roles;
}

json_t *roles_to_json(unsigned roles) {
  json_t *array = json_array();
  for (size_t i = 0; array != NULL && i < ROLE_COUNT; i++)
    if (roles & role_names[i].bit) json_array_append_new(array, json_string(role_names[i].name));
  return array;
}

char *roles_to_json_text(unsigned roles) {
  json_t *array = roles_to_json(roles);
  char *text = array != NULL ? json_dumps(array, JSON_COMPACT) : NULL;
  json_decref(array);
  return text;
}

void roles_to_list(unsigned roles, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < ROLE_COUNT && used < len; i++) {
    if (roles & role_names[i].bit)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "", role_names[i].name);
  }
}

int actor_manages(const struct actor *actor) { return (actor->roles & (ROLE_COORDINATOR | ROLE_ADMIN)) != 0; }

int actor_guest_only(const struct actor *actor) { return (actor->roles & ~(unsigned)ROLE_GUEST) == 0; }
