#ifndef NOABER_API_EDGE_H
#define NOABER_API_EDGE_H

#include <stddef.h>

/* The HTTP edge (api/edge.c): header-stage checks on every request, run before Ulfius reads
 * the body, and problem+json for the refusals libmicrohttpd writes by itself. Set the largest
 * body accepted and find libmicrohttpd's own functions. Call once before the server starts;
 * returns 0, or -1 when libmicrohttpd's functions cannot be found (then do not serve). */
int edge_configure(size_t max_body_bytes);

#endif
