/* The record of responses for the OpenAPI validator; see openapi_log.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openapi_log.h"

/* Requests of one process may come from several threads (the race tests). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* The test binary's name, from /proc (no argv here); "test" when unknown. */
static void program_name(char *out, size_t size)
{
	char cmdline[512];
	snprintf(out, size, "test");
	FILE *f = fopen("/proc/self/cmdline", "r");
	if (f == NULL)
		return;
	size_t n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	cmdline[n] = '\0'; /* argv[0] ends at its own NUL */
	const char *base = strrchr(cmdline, '/');
	base = base != NULL ? base + 1 : cmdline;
	if (*base != '\0')
		snprintf(out, size, "%s", base);
}

/*
 * Request bodies larger than this are logged by their size only: the validator
 * reads the bodies of accepted requests, which are small, and writing the
 * 2 MiB bodies of the size tests would change their timing.
 */
#define LOGGED_REQUEST_MAX ((size_t)64 * 1024)

/* A JSON string of len bytes; a body that is not UTF-8 is marked so, not dropped. */
static json_t *text_value(const char *text, size_t len)
{
	json_t *s = json_stringn(text != NULL ? text : "", text != NULL ? len : 0);
	return s != NULL ? s : json_pack("{s:b}", "not_utf8", 1);
}

void openapi_log_response(const struct http_call *call, const struct http_response *r)
{
	const char *dir = getenv("DROPLINE_OPENAPI_LOG");
	if (dir == NULL || *dir == '\0')
		return;
	char name[64], path[512];
	program_name(name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.%ld.ndjson", dir, name, (long)getpid());
	const char *tcase = tcase_name();
	size_t request_len = call->body == NULL ? 0
			     : call->body_len	? call->body_len
						: strlen(call->body);
	json_t *request_headers = json_array();
	for (const char *const *h = call->headers; h != NULL && *h != NULL; h++)
		json_array_append_new(request_headers, text_value(*h, strlen(*h)));
	json_t *request_body = call->body == NULL ? json_null()
			       : request_len > LOGGED_REQUEST_MAX
				       ? json_pack("{s:I}", "bytes", (json_int_t)request_len)
				       : text_value(call->body, request_len);
	json_t *line = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:s?, s:o, s:i, s:o, s:o}", "test", name, "tcase",
		tcase != NULL ? tcase : "", "method", call->method, "path", call->path,
		"request_headers", request_headers, "request_content_type", call->content_type,
		"request_body", request_body, "status", (int)r->status, "headers",
		text_value(r->headers, r->headers_len), "body", text_value(r->body, r->body_len));
	char *text = line != NULL ? json_dumps(line, JSON_COMPACT) : NULL;
	json_decref(line);
	ck_assert_msg(text != NULL, "openapi log: out of memory");
	size_t len = strlen(text);
	text[len] = '\n'; /* json_dumps() ends with a NUL we may overwrite: write len + 1 */
	pthread_mutex_lock(&log_lock);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		fprintf(stderr, "openapi log: cannot make %s: %s\n", dir, strerror(errno));
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	ssize_t written = fd >= 0 ? write(fd, text, len + 1) : -1;
	if (fd >= 0)
		close(fd);
	pthread_mutex_unlock(&log_lock);
	free(text);
	ck_assert_msg(written == (ssize_t)(len + 1), "openapi log: cannot append to %s", path);
}
