#include "metrics.h"

#include <orcania.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../src/db/db.h"
#include "routes.h"

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define BUCKETS (sizeof buckets / sizeof buckets[0])
static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 408, 409,
                               412, 413, 414, 415, 422, 428, 429, 431, 500, 503, 505};
#define STATUSES (sizeof statuses / sizeof statuses[0])

struct route_metrics {
  unsigned long long by_status[STATUSES + 1]; /* last: any other status */
  unsigned long long in_bucket[BUCKETS];      /* not cumulative; summed when rendered */
  unsigned long long count;
  double sum;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct route_metrics *routes; /* owned: route_count + 2 entries */
static size_t slots;

int metrics_init(size_t route_count) {
  slots = route_count + 2;
  routes = o_malloc(slots * sizeof *routes);
  if (routes == NULL) return -1;
  memset(routes, 0, slots * sizeof *routes);
  return 0;
}

void metrics_free(void) {
  o_free(routes);
  routes = NULL;
}

void metrics_record(size_t route_index, int status, double seconds) {
  if (routes == NULL || route_index >= slots) return;
  size_t s = STATUSES;
  for (size_t i = 0; i < STATUSES; i++)
    if (statuses[i] == status) s = i;
  size_t b = BUCKETS;
  for (size_t i = 0; i < BUCKETS && b == BUCKETS; i++)
    if (seconds <= buckets[i]) b = i;
  pthread_mutex_lock(&lock);
  struct route_metrics *m = &routes[route_index];
  m->by_status[s]++;
  if (b < BUCKETS) m->in_bucket[b]++;
  m->count++;
  m->sum += seconds;
  pthread_mutex_unlock(&lock);
}

static void route_label(size_t index, const char **method, const char **path) {
  if (index < api_route_count) {
    *method = api_routes[index].method;
    *path = api_routes[index].path;
  } else {
    *method = "any";
    *path = index == api_route_count ? "unmatched" : "edge";
  }
}

char *metrics_render(void) {
  char *out = o_strdup(
      "# HELP noaber_http_requests_total HTTP requests by route and status.\n"
      "# TYPE noaber_http_requests_total counter\n");
  struct route_metrics *copy = o_malloc(slots * sizeof *copy);
  if (out == NULL || copy == NULL) {
    o_free(out);
    o_free(copy);
    return NULL;
  }
  pthread_mutex_lock(&lock);
  memcpy(copy, routes, slots * sizeof *copy);
  pthread_mutex_unlock(&lock);

  for (size_t r = 0; r < slots && out != NULL; r++) {
    const char *method, *path;
    route_label(r, &method, &path);
    for (size_t s = 0; s <= STATUSES && out != NULL; s++) {
      if (copy[r].by_status[s] == 0) continue;
      char status[8];
      if (s < STATUSES)
        snprintf(status, sizeof status, "%d", statuses[s]);
      else
        snprintf(status, sizeof status, "other");
      out = mstrcatf(out, "noaber_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n", method, path,
                     status, copy[r].by_status[s]);
    }
  }
  if (out != NULL)
    out = mstrcatf(out,
                   "# HELP noaber_http_request_duration_seconds Time to answer, by route.\n"
                   "# TYPE noaber_http_request_duration_seconds histogram\n");
  for (size_t r = 0; r < slots && out != NULL; r++) {
    if (copy[r].count == 0) continue;
    const char *method, *path;
    route_label(r, &method, &path);
    unsigned long long cumulative = 0;
    for (size_t b = 0; b < BUCKETS && out != NULL; b++) {
      cumulative += copy[r].in_bucket[b];
      out = mstrcatf(out, "noaber_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
                     method, path, buckets[b], cumulative);
    }
    if (out != NULL)
      out = mstrcatf(out,
                     "noaber_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n"
                     "noaber_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                     "noaber_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                     method, path, copy[r].count, method, path, copy[r].sum, method, path, copy[r].count);
  }
  o_free(copy);
  int size, in_use, waiting;
  db_pool_stats(&size, &in_use, &waiting);
  if (out != NULL)
    out = mstrcatf(out,
                   "# HELP noaber_db_pool_size Connections the pool may hold.\n"
                   "# TYPE noaber_db_pool_size gauge\nnoaber_db_pool_size %d\n"
                   "# HELP noaber_db_pool_in_use Connections serving a request now.\n"
                   "# TYPE noaber_db_pool_in_use gauge\nnoaber_db_pool_in_use %d\n"
                   "# HELP noaber_db_pool_waiting Requests waiting for a connection now.\n"
                   "# TYPE noaber_db_pool_waiting gauge\nnoaber_db_pool_waiting %d\n",
                   size, in_use, waiting);
  return out;
}
