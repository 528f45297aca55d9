/* JSON log lines through yder's callback mode. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yder.h>

static void write_line(void *cls, const char *app_name, const time_t date, const unsigned long level,
                       const char *message) {
  (void)cls;
  (void)app_name;
  (void)date;
  (void)level;
  /* One fputs per line: stdio locks the stream, so lines from threads do not interleave. */
  fputs(message, stderr);
}

static unsigned long yder_level(const char *name) {
  if (strcmp(name, "debug") == 0) return Y_LOG_LEVEL_DEBUG;
  if (strcmp(name, "warning") == 0) return Y_LOG_LEVEL_WARNING;
  if (strcmp(name, "error") == 0) return Y_LOG_LEVEL_ERROR;
  return Y_LOG_LEVEL_INFO;
}

int log_init(const char *level_name) {
  if (!y_init_logs("noaber", Y_LOG_MODE_CALLBACK, yder_level(level_name), NULL, NULL)) return -1;
  if (!y_set_logs_callback(write_line, NULL, NULL)) return -1;
  return 0;
}

void log_close(void) { y_close_logs(); }

void log_event(enum log_level level, const char *request_id, const char *event, json_t *fields) {
  static const char *names[] = {"debug", "info", "warning", "error"};
  static const unsigned long ylevels[] = {Y_LOG_LEVEL_DEBUG, Y_LOG_LEVEL_INFO, Y_LOG_LEVEL_WARNING, Y_LOG_LEVEL_ERROR};
  struct timespec now;
  struct tm tm;
  char ts[40];
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(ts + n, sizeof ts - n, ".%03ldZ", now.tv_nsec / 1000000L);

  json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", names[level], "event", event);
  if (line == NULL) {
    json_decref(fields);
    return;
  }
  if (request_id != NULL) json_object_set_new(line, "request_id", json_string(request_id));
  if (fields != NULL) {
    json_object_update_missing(line, fields);
    json_decref(fields);
  }
  char *text = json_dumps(line, JSON_COMPACT);
  json_decref(line);
  if (text == NULL) return;
  y_log_message(ylevels[level], "%s\n", text);
  free(text);
}
