/* Field error collection and typed JSON readers; see domain/validation.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/validation.h"

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

void text_make_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p != '\0') {
		size_t n = utf8_sequence(p);
		if (n == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

bool text_is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		size_t n = utf8_sequence(p);
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

void field_errors_init(field_errors *fe)
{
	fe->list = json_array();
	fe->oom = fe->list == NULL;
}

void field_errors_free(field_errors *fe)
{
	json_decref(fe->list);
	fe->list = NULL;
}

size_t field_errors_count(const field_errors *fe)
{
	return fe->list ? json_array_size(fe->list) : 0;
}

void field_errors_add(field_errors *fe, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	field_errors_addv(fe, field, fmt, ap);
	va_end(ap);
}

void field_errors_addv(field_errors *fe, const char *field, const char *fmt, va_list ap)
{
	if (fe->list == NULL) {
		fe->oom = true;
		return;
	}
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	char *message = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (message == NULL) {
		fe->oom = true;
		return;
	}
	vsnprintf(message, (size_t)n + 1, fmt, ap);
	text_make_utf8(message);
	char *field_text = strdup(field);
	if (field_text == NULL) {
		free(message);
		fe->oom = true;
		return;
	}
	text_make_utf8(field_text);
	json_t *item = json_pack("{s:s, s:s}", "field", field_text, "message", message);
	free(field_text);
	free(message);
	if (item == NULL || json_array_append_new(fe->list, item) != 0)
		fe->oom = true;
}

void json_path_init(json_path *p)
{
	*p = (json_path){0};
}

void json_path_free(json_path *p)
{
	text_free(p);
}

size_t json_path_push_key(json_path *p, const char *key)
{
	size_t saved = p->len;
	if (p->len > 0)
		text_add(p, ".", 1);
	text_add_str(p, key);
	return saved;
}

size_t json_path_push_index(json_path *p, size_t index)
{
	size_t saved = p->len;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", index);
	text_add(p, buf, (size_t)n);
	return saved;
}

void json_path_pop(json_path *p, size_t len)
{
	text_truncate(p, len);
}

const char *json_path_text(const json_path *p)
{
	if (p->failed)
		return "?";
	return p->s ? p->s : "";
}
