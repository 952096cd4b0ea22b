/* The refusal registry and its rendering; see include/domain/refusal.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/refusal.h"
#include "domain/validation.h"

static const struct refusal_entry entries[REFUSAL_COUNT] = {
	[REFUSED_NONE] = {"REFUSED_NONE", 500, "internal", NULL, "internal error"},
#define REFUSAL_ENTRY(id, status, code, header, template)                                          \
	[id] = {#id, status, code, header, template},
	REFUSALS(REFUSAL_ENTRY)
#undef REFUSAL_ENTRY
};

/* Longest client text a message repeats, in bytes. */
#define REFUSAL_TEXT_MAX 400

const struct refusal_entry *refusal_entry(refusal_code code)
{
	if (code <= REFUSED_NONE || code >= REFUSAL_COUNT)
		return &entries[REFUSED_INTERNAL];
	return &entries[code];
}

void refusal_clear(struct refusal *r)
{
	free(r->text);
	free(r->text2);
	json_decref(r->fields);
	json_decref(r->members);
	memset(r, 0, sizeof(*r));
}

/* A formatted copy of at most REFUSAL_TEXT_MAX bytes, made valid UTF-8; NULL on no memory. */
static char *text_format(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *text_format(const char *fmt, va_list ap)
{
	char *s = malloc(REFUSAL_TEXT_MAX + 1);
	if (s == NULL)
		return NULL;
	vsnprintf(s, REFUSAL_TEXT_MAX + 1, fmt, ap);
	/* A cut may split a character: the repair turns its bytes into '?'. */
	text_make_utf8(s);
	return s;
}

void refusal_text(struct refusal *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->text);
	r->text = text_format(fmt, ap);
	va_end(ap);
}

void refusal_text2(struct refusal *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->text2);
	r->text2 = text_format(fmt, ap);
	va_end(ap);
}

/* Appends text to out[*used..n), keeping the terminator. */
static void put(char *out, size_t n, size_t *used, const char *text, size_t len)
{
	if (*used + 1 >= n)
		return;
	size_t room = n - 1 - *used;
	if (len > room)
		len = room;
	memcpy(out + *used, text, len);
	*used += len;
	out[*used] = '\0';
}

/* "1 field is" / "3 fields are" for the refusal's field list. */
static void put_count(char *out, size_t n, size_t *used, const struct refusal *r, const char *noun)
{
	char text[96];
	size_t count = r->fields ? json_array_size(r->fields) : 0;
	snprintf(text, sizeof(text), "%zu %s%s %s", count, noun, count == 1 ? "" : "s",
		 count == 1 ? "is" : "are");
	put(out, n, used, text, strlen(text));
}

/* Renders one {name}; false when the name is unknown. */
static bool put_value(char *out, size_t n, size_t *used, const struct refusal *r, const char *name,
		      size_t len)
{
	char number[24];
#define NAME_IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (NAME_IS("id") || NAME_IS("number")) {
		snprintf(number, sizeof(number), "%" PRId64, NAME_IS("id") ? r->id : r->number);
		put(out, n, used, number, strlen(number));
	} else if (NAME_IS("kind")) {
		put(out, n, used, r->kind ? r->kind : "", r->kind ? strlen(r->kind) : 0);
	} else if (NAME_IS("text") || NAME_IS("text2")) {
		const char *t = NAME_IS("text") ? r->text : r->text2;
		put(out, n, used, t ? t : "", t ? strlen(t) : 0);
	} else if (NAME_IS("problems")) {
		put_count(out, n, used, r, "field");
	} else if (NAME_IS("parameters")) {
		put_count(out, n, used, r, "query parameter");
	} else {
		return false;
	}
#undef NAME_IS
	return true;
}

/* Renders template t with r's values into out (n bytes). */
static bool render(const struct refusal *r, const char *t, char *out, size_t n)
{
	size_t used = 0;
	bool known = true;
	if (n == 0)
		return false;
	out[0] = '\0';
	while (*t != '\0') {
		const char *open = strchr(t, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (close == NULL) {
			put(out, n, &used, t, strlen(t));
			break;
		}
		put(out, n, &used, t, (size_t)(open - t));
		if (!put_value(out, n, &used, r, open + 1, (size_t)(close - open - 1))) {
			put(out, n, &used, open, (size_t)(close - open + 1));
			known = false;
		}
		t = close + 1;
	}
	return known;
}

bool refusal_message(const struct refusal *r, char *out, size_t n)
{
	return render(r, refusal_entry(r->code)->template, out, n);
}

bool refusal_header(const struct refusal *r, char *name, char *value, size_t n)
{
	const char *h = refusal_entry(r->code)->header;
	const char *colon = h ? strchr(h, ':') : NULL;
	if (colon == NULL || n == 0 || (size_t)(colon - h) >= n)
		return false;
	memcpy(name, h, (size_t)(colon - h));
	name[colon - h] = '\0';
	return render(r, colon + 2, value, n);
}

json_t *refusal_body(const struct refusal *r)
{
	char message[1024];
	const struct refusal_entry *e = refusal_entry(r->code);
	refusal_message(r, message, sizeof(message));
	/* A cut at the end of the buffer may split a character. */
	text_make_utf8(message);
	json_t *fields = r->fields ? json_incref(r->fields) : json_array();
	json_t *error = fields ? json_pack("{s:s, s:s, s:o}", "code", e->code, "message", message,
					   "fields", fields)
			       : NULL;
	if (error != NULL && r->members != NULL && json_object_update(error, r->members) != 0) {
		json_decref(error);
		error = NULL;
	}
	return error ? json_pack("{s:o}", "error", error) : NULL;
}
