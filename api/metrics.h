#ifndef NOABER_API_METRICS_H
#define NOABER_API_METRICS_H

#include <stddef.h>

/* Prometheus metrics: requests by route and status, a latency histogram per route, and the
 * database pool's gauges. Route index api_route_count means "no route matched", and
 * api_route_count + 1 "refused at the HTTP edge". */

int metrics_init(size_t route_count);
void metrics_free(void);
void metrics_record(size_t route_index, int status, double seconds);
/* The exposition text; caller o_free()s; NULL when out of memory. */
char *metrics_render(void);

#endif
