/* JSON log lines; see include/domain/log.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/log.h"
#include "domain/validation.h"

struct logger {
	FILE *out;
	log_level min;
};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

struct logger *logger_new(FILE *out, log_level min)
{
	struct logger *lg = calloc(1, sizeof(*lg));
	if (lg == NULL)
		return NULL;
	lg->out = out;
	lg->min = min;
	return lg;
}

void logger_free(struct logger *lg)
{
	free(lg);
}

bool log_enabled(const struct logger *lg, log_level level)
{
	return lg != NULL && lg->out != NULL && level >= lg->min && level <= LOG_ERROR;
}

const char *log_level_name(log_level level)
{
	return level <= LOG_ERROR ? level_names[level] : "error";
}

bool log_level_parse(const char *text, log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(text, level_names[i]) == 0) {
			*out = (log_level)i;
			return true;
		}
	return false;
}

void log_timestamp(char out[LOG_TS_MAX])
{
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	if (gmtime_r(&now.tv_sec, &tm) == NULL) {
		memcpy(out, "1970-01-01T00:00:00.000Z", LOG_TS_MAX);
		return;
	}
	size_t n = strftime(out, LOG_TS_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, LOG_TS_MAX - n, ".%03ldZ", now.tv_nsec / 1000000L);
}

void log_json(const struct logger *lg, log_level level, json_t *fields)
{
	if (!log_enabled(lg, level)) {
		json_decref(fields);
		return;
	}
	char ts[LOG_TS_MAX];
	log_timestamp(ts);
	json_t *line = json_pack("{s:s, s:s}", "ts", ts, "level", log_level_name(level));
	if (line != NULL && json_is_object(fields))
		json_object_update_missing(line, fields);
	json_decref(fields);
	char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
	json_decref(line);
	if (text == NULL) {
		/* Out of memory: still one valid line, without the fields. */
		fprintf(lg->out, "{\"ts\":\"%s\",\"level\":\"%s\"}\n", ts, log_level_name(level));
		return;
	}
	/* One call writes the whole line: stdio locks the stream around it. */
	size_t n = strlen(text);
	text[n] = '\n';
	fwrite(text, 1, n + 1, lg->out);
	fflush(lg->out);
	free(text);
}

void log_write(const struct logger *lg, log_level level, const char *fmt, ...)
{
	if (!log_enabled(lg, level))
		return;
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *message = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (message != NULL && vsnprintf(message, (size_t)n + 1, fmt, again) < 0) {
		free(message);
		message = NULL;
	}
	va_end(again);
	if (message != NULL)
		text_make_utf8(message);
	log_json(lg, level, json_pack("{s:s}", "message", message ? message : ""));
	free(message);
}
