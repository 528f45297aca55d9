#include "roles_cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 4096 /* a power of two; ~700 KB */
#define UUID_LEN 36
#define ROLES_TEXT_MAX 63 /* "resident,volunteer,coordinator,professional,admin,guest" is 55 */

struct slot {
  char person[UUID_LEN + 1];
  char community[UUID_LEN + 1];
  char roles[ROLES_TEXT_MAX + 1]; /* "" when the slot is empty */
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
/* A secret hash key, so nobody can choose ids that evict each other's entries. */
static unsigned char key[crypto_shorthash_KEYBYTES];

static void make_key(void) { randombytes_buf(key, sizeof key); }

/* The slot for this pair, or NULL when an id is not a canonical UUID's length. */
static struct slot *slot_for(const char *person_id, const char *community_id) {
  if (person_id == NULL || community_id == NULL || strlen(person_id) != UUID_LEN || strlen(community_id) != UUID_LEN)
    return NULL;
  pthread_once(&key_once, make_key);
  unsigned char pair[2 * UUID_LEN], hash[crypto_shorthash_BYTES];
  memcpy(pair, person_id, UUID_LEN);
  memcpy(pair + UUID_LEN, community_id, UUID_LEN);
  crypto_shorthash(hash, pair, sizeof pair, key);
  uint32_t index;
  memcpy(&index, hash, sizeof index);
  return &slots[index & (SLOTS - 1)];
}

static int holds(const struct slot *s, const char *person_id, const char *community_id) {
  return s->roles[0] != '\0' && strcmp(s->person, person_id) == 0 && strcmp(s->community, community_id) == 0;
}

int roles_cache_get(const char *person_id, const char *community_id, char *out, size_t len) {
  struct slot *s = slot_for(person_id, community_id);
  if (s == NULL || len == 0) return 0;
  int found = 0;
  pthread_mutex_lock(&lock);
  if (holds(s, person_id, community_id) && strlen(s->roles) < len) {
    strcpy(out, s->roles);
    found = 1;
  }
  pthread_mutex_unlock(&lock);
  return found;
}

void roles_cache_put(const char *person_id, const char *community_id, const char *roles_text) {
  if (roles_text == NULL || roles_text[0] == '\0' || strlen(roles_text) > ROLES_TEXT_MAX) {
    roles_cache_forget(person_id, community_id);
    return;
  }
  struct slot *s = slot_for(person_id, community_id);
  if (s == NULL) return;
  pthread_mutex_lock(&lock);
  memcpy(s->person, person_id, UUID_LEN + 1);
  memcpy(s->community, community_id, UUID_LEN + 1);
  strcpy(s->roles, roles_text);
  pthread_mutex_unlock(&lock);
}

void roles_cache_forget(const char *person_id, const char *community_id) {
  struct slot *s = slot_for(person_id, community_id);
  if (s == NULL) return;
  pthread_mutex_lock(&lock);
  if (holds(s, person_id, community_id)) s->roles[0] = '\0';
  pthread_mutex_unlock(&lock);
}
