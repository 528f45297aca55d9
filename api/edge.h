#ifndef NOABER_API_EDGE_H
#define NOABER_API_EDGE_H

#include <stddef.h>

/* Header-stage checks on every request, run before Ulfius reads the body (api/edge.c): set the
 * largest body accepted. Call before the server starts. */
void edge_configure(size_t max_body_bytes);

#endif
