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
	p->text = NULL;
	p->len = 0;
	p->cap = 0;
	p->failed = false;
}

void json_path_free(json_path *p)
{
	free(p->text);
	json_path_init(p);
}

/* Appends len bytes; marks the path failed when memory runs out. */
static void path_append(json_path *p, const char *s, size_t n)
{
	if (p->failed)
		return;
	if (p->len + n + 1 < p->len) {
		p->failed = true;
		return;
	}
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		while (cap < p->len + n + 1)
			cap *= 2;
		char *text = realloc(p->text, cap);
		if (text == NULL) {
			p->failed = true;
			return;
		}
		p->text = text;
		p->cap = cap;
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = '\0';
}

size_t json_path_push_key(json_path *p, const char *key)
{
	size_t saved = p->len;
	if (p->len > 0)
		path_append(p, ".", 1);
	path_append(p, key, strlen(key));
	return saved;
}

size_t json_path_push_index(json_path *p, size_t index)
{
	size_t saved = p->len;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", index);
	path_append(p, buf, (size_t)n);
	return saved;
}

void json_path_pop(json_path *p, size_t len)
{
	if (len <= p->len && p->text != NULL) {
		p->len = len;
		p->text[len] = '\0';
	}
}

const char *json_path_text(const json_path *p)
{
	if (p->failed)
		return "?";
	return p->text ? p->text : "";
}

size_t validate_known_keys(json_t *obj, const char *const *allowed, json_path *p, field_errors *fe)
{
	size_t unknown = 0;
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value)
	{
		(void)value;
		bool known = false;
		for (const char *const *a = allowed; *a != NULL; a++) {
			if (strcmp(*a, key) == 0) {
				known = true;
				break;
			}
		}
		if (!known) {
			size_t saved = json_path_push_key(p, key);
			field_errors_add(fe, json_path_text(p), "unknown field");
			json_path_pop(p, saved);
			unknown++;
		}
	}
	return unknown;
}

/* Looks up a member; *missing tells absent-or-null apart. */
static json_t *member(json_t *obj, const char *key, bool *missing)
{
	json_t *v = json_object_get(obj, key);
	*missing = v == NULL || json_is_null(v);
	return v;
}

/* Adds an error at path.key. */
static void error_at(json_path *p, field_errors *fe, const char *key, const char *message)
{
	size_t saved = json_path_push_key(p, key);
	field_errors_add(fe, json_path_text(p), "%s", message);
	json_path_pop(p, saved);
}

bool validate_string(json_t *obj, const char *key, bool required, size_t max_len, json_path *p,
		     field_errors *fe, const char **out)
{
	bool missing;
	json_t *v = member(obj, key, &missing);
	if (missing) {
		if (required)
			error_at(p, fe, key, "is required");
		return !required;
	}
	if (!json_is_string(v)) {
		error_at(p, fe, key, "must be a string");
		return false;
	}
	size_t len = json_string_length(v);
	if (len == 0) {
		error_at(p, fe, key,
			 required ? "must not be empty"
				  : "must not be empty: send null or leave it out");
		return false;
	}
	if (len > max_len) {
		size_t saved = json_path_push_key(p, key);
		field_errors_add(fe, json_path_text(p), "must be at most %zu characters", max_len);
		json_path_pop(p, saved);
		return false;
	}
	if (memchr(json_string_value(v), '\0', len) != NULL) {
		error_at(p, fe, key, "must not contain NUL characters");
		return false;
	}
	*out = json_string_value(v);
	return true;
}

bool validate_integer(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
		      bool allow_digit_string, json_path *p, field_errors *fe, int64_t *out)
{
	bool missing;
	json_t *v = member(obj, key, &missing);
	if (missing) {
		if (required)
			error_at(p, fe, key, "is required");
		return !required;
	}
	int64_t value = 0;
	bool ok = false;
	if (json_is_integer(v)) {
		value = json_integer_value(v);
		ok = true;
	} else if (allow_digit_string && json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		ok = len > 0 && len <= 18;
		for (size_t i = 0; ok && i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				ok = false;
			else
				value = value * 10 + (s[i] - '0');
		}
	}
	if (!ok) {
		error_at(p, fe, key,
			 allow_digit_string ? "must be an integer or a string of digits"
					    : "must be an integer");
		return false;
	}
	if (value < min || value > max) {
		size_t saved = json_path_push_key(p, key);
		field_errors_add(fe, json_path_text(p), "must be between %" PRId64 " and %" PRId64,
				 min, max);
		json_path_pop(p, saved);
		return false;
	}
	*out = value;
	return true;
}

bool validate_object(json_t *obj, const char *key, bool required, json_path *p, field_errors *fe,
		     json_t **out)
{
	bool missing;
	json_t *v = member(obj, key, &missing);
	if (missing) {
		if (required)
			error_at(p, fe, key, "is required");
		return !required;
	}
	if (!json_is_object(v)) {
		error_at(p, fe, key, "must be an object");
		return false;
	}
	*out = v;
	return true;
}

bool validate_array(json_t *obj, const char *key, bool required, json_path *p, field_errors *fe,
		    json_t **out)
{
	bool missing;
	json_t *v = member(obj, key, &missing);
	if (missing) {
		if (required)
			error_at(p, fe, key, "is required");
		return !required;
	}
	if (!json_is_array(v)) {
		error_at(p, fe, key, "must be an array");
		return false;
	}
	*out = v;
	return true;
}
