#ifndef NOABER_LOG_H
#define NOABER_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR };

/* Start logging through yder: one JSON object per line on stderr. Returns 0 or -1. */
int log_init(const char *level_name);
void log_close(void);

/*
 * Write one JSON log line {ts, level, event, request_id?, ...fields}.
 * `fields` is stolen (decref'd here) and may be NULL. Never pass personal data, passwords
 * or tokens: log ids, routes, statuses and durations only.
 */
void log_event(enum log_level level, const char *request_id, const char *event, json_t *fields);

#endif
