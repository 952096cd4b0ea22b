/*
 * The logger: every line one JSON object that starts with "ts" (RFC 3339
 * UTC with milliseconds, 2026-12-05T08:00:00.123Z) and "level" (debug,
 * info, warn, error), then its own fields (CONTRACT.md section 19).
 *
 * Whoever runs the program makes one logger (a stream and the lowest level
 * it writes) and hands it down through each layer's options; there is no
 * global logger. A line is formatted whole and written with one call, so
 * lines of concurrent threads never mix. A NULL logger writes nothing.
 *
 * It lives in domain because every layer logs (the store's failures, the
 * API's, the HTTP server's access lines); it does no I/O of its own beyond
 * writing to the stream its owner gave it.
 */
#ifndef DROPLINE_DOMAIN_LOG_H
#define DROPLINE_DOMAIN_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

typedef enum {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
} log_level;

/* "2026-12-05T08:00:00.123Z" and its NUL. */
#define LOG_TS_MAX 25

struct logger;

/* A logger writing lines of `min` and above to `out` (not closed by it). NULL on no memory. */
struct logger *logger_new(FILE *out, log_level min);

/* NULL is ignored. */
void logger_free(struct logger *lg);

/* True when a line of `level` would be written (false for a NULL logger). */
bool log_enabled(const struct logger *lg, log_level level);

/* "debug", "info", "warn", "error" and back; false for any other text. */
const char *log_level_name(log_level level);
bool log_level_parse(const char *text, log_level *out);

/*
 * log_write() writes {"ts":..., "level":..., "message": the formatted text}.
 * A message that is not valid UTF-8 has its bad bytes replaced.
 */
void log_write(const struct logger *lg, log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * log_json() writes ts and level, then the fields of `fields` in their
 * order (a "ts" or "level" among them is ignored). Takes the reference to
 * `fields` (may be NULL: a line of ts and level only).
 */
void log_json(const struct logger *lg, log_level level, json_t *fields);

/* The current time as RFC 3339 UTC with milliseconds. */
void log_timestamp(char out[LOG_TS_MAX]);

#endif
