/* The body walker; see include/domain/spec.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "domain/spec.h"
#include "domain/timeutil.h"

#define TIME_TEXT_LIMIT 64 /* bytes of an ISO-8601 value worth parsing */

struct spec_walk {
	json_path path;
	field_errors *fe;
	void *context;
};

size_t utf8_length(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

void *spec_context(const struct spec_walk *w)
{
	return w->context;
}

size_t spec_problems(const struct spec_walk *w)
{
	return field_errors_count(w->fe);
}

static void error_atv(struct spec_walk *w, const char *key, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void error_atv(struct spec_walk *w, const char *key, const char *fmt, va_list ap)
{
	size_t saved = key ? json_path_push_key(&w->path, key) : w->path.len;
	field_errors_addv(w->fe, json_path_text(&w->path), fmt, ap);
	json_path_pop(&w->path, saved);
}

void spec_error(struct spec_walk *w, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_atv(w, key, fmt, ap);
	va_end(ap);
}

static void *at(void *out, size_t offset)
{
	return (char *)out + offset;
}

/* "must be one of a, b, c" for a choice table. */
static void choice_error(struct spec_walk *w, const struct spec_field *f)
{
	char allowed[256] = "";
	size_t used = 0;
	for (size_t i = 0; f->choices[i] != NULL && used < sizeof(allowed); i++)
		used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
					 i ? ", " : "", f->choices[i]);
	spec_error(w, f->name, "must be one of %s", allowed);
}

/* A value of the wrong kind or out of range: the field's own message, else `fallback`. */
static void bad_value(struct spec_walk *w, const struct spec_field *f, const char *fallback)
{
	spec_error(w, f->name, "%s", f->message ? f->message : fallback);
}

/* Reads an integer that may be a string of digits; false when it is neither. */
static bool integer_value(json_t *v, bool digits, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!digits || !json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len == 0 || len > 18)
		return false;
	int64_t value = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		value = value * 10 + (s[i] - '0');
	}
	*out = value;
	return true;
}

static void read_integer(struct spec_walk *w, const struct spec_field *f, json_t *v, void *out,
			 bool digits, int64_t min, int64_t max)
{
	int64_t value = 0;
	if (!integer_value(v, digits, &value)) {
		bad_value(w, f,
			  digits ? "must be an integer or a string of digits"
				 : "must be an integer");
		return;
	}
	if (value < min || value > max) {
		if (f->message != NULL)
			bad_value(w, f, f->message);
		else
			spec_error(w, f->name, "must be between %" PRId64 " and %" PRId64, min,
				   max);
		return;
	}
	*(int64_t *)at(out, f->offset) = value;
}

/* The checks every string value passes; false (reported) when it fails one. */
static bool text_ok(struct spec_walk *w, const struct spec_field *f, json_t *v, const char *key)
{
	if (!json_is_string(v)) {
		spec_error(w, key, "%s", f->message ? f->message : "must be a string");
		return false;
	}
	size_t len = json_string_length(v);
	if (len == 0 && f->type != SPEC_TEXTS) {
		spec_error(w, key, "%s",
			   f->flags & SPEC_REQUIRED
				   ? "must not be empty"
				   : "must not be empty: send null or leave it out");
		return false;
	}
	if (f->max > 0 && utf8_length(json_string_value(v), len) > (size_t)f->max) {
		spec_error(w, key, "must be at most %" PRId64 " characters", f->max);
		return false;
	}
	if (memchr(json_string_value(v), '\0', len) != NULL) {
		spec_error(w, key, "must not contain NUL characters");
		return false;
	}
	return true;
}

static bool read_object(struct spec_walk *w, const struct spec *s, json_t *obj, void *out);

/* "must have from 1 to 500 lines" / "must have at most 10 lines". */
static void count_error(struct spec_walk *w, const struct spec_field *f)
{
	const char *noun = f->noun ? f->noun : "items";
	if (f->min_items > 0)
		spec_error(w, f->name, "must have from %zu to %zu %s", f->min_items, f->max_items,
			   noun);
	else
		spec_error(w, f->name, "must have at most %zu %s", f->max_items, noun);
}

static void read_list(struct spec_walk *w, const struct spec_field *f, json_t *v, void *out)
{
	size_t n = json_array_size(v);
	if (n < f->min_items || n > f->max_items) {
		count_error(w, f);
		return;
	}
	char *items = calloc(n ? n : 1, f->object->size);
	if (items == NULL) {
		w->fe->oom = true;
		return;
	}
	*(void **)at(out, f->offset) = items;
	*(size_t *)at(out, f->count_offset) = n;
	size_t saved = json_path_push_key(&w->path, f->name);
	for (size_t i = 0; i < n; i++) {
		size_t item = json_path_push_index(&w->path, i);
		json_t *obj = json_array_get(v, i);
		if (json_is_object(obj))
			read_object(w, f->object, obj, items + i * f->object->size);
		else
			spec_error(w, NULL, "must be an object");
		json_path_pop(&w->path, item);
	}
	json_path_pop(&w->path, saved);
}

static void read_texts(struct spec_walk *w, const struct spec_field *f, json_t *v, void *out)
{
	if (json_array_size(v) > f->max_items)
		count_error(w, f);
	size_t saved = json_path_push_key(&w->path, f->name);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		size_t at_item = json_path_push_index(&w->path, i);
		text_ok(w, f, item, NULL);
		json_path_pop(&w->path, at_item);
	}
	json_path_pop(&w->path, saved);
	*(const json_t **)at(out, f->offset) = v;
}

static void read_field(struct spec_walk *w, const struct spec_field *f, json_t *obj, void *out)
{
	json_t *v = json_object_get(obj, f->name);
	if (v == NULL || json_is_null(v)) {
		if (f->flags & SPEC_REQUIRED)
			spec_error(w, f->name, "is required");
		return;
	}
	int64_t number = 0;
	switch (f->type) {
	case SPEC_TEXT:
		if (text_ok(w, f, v, f->name))
			*(const char **)at(out, f->offset) = json_string_value(v);
		return;
	case SPEC_ID: read_integer(w, f, v, out, true, 1, SPEC_ID_MAX); return;
	case SPEC_INTEGER:
		read_integer(w, f, v, out, (f->flags & SPEC_DIGITS) != 0, f->min, f->max);
		return;
	case SPEC_MONEY: {
		bool ok = false;
		if (json_is_string(v))
			ok = money_parse_text(json_string_value(v), json_string_length(v), &number);
		else if (json_is_integer(v))
			ok = money_parse_integer(json_integer_value(v), &number);
		else if (json_is_real(v))
			ok = money_parse_real(json_real_value(v), &number);
		if (ok)
			*(int64_t *)at(out, f->offset) = number;
		else
			bad_value(w, f,
				  "must be an amount with at most two decimals, not negative, like "
				  "\"250.00\"");
		return;
	}
	case SPEC_BOOLEAN:
		if (json_is_boolean(v))
			*(bool *)at(out, f->offset) = json_is_true(v);
		else
			bad_value(w, f, "must be true or false");
		return;
	case SPEC_TIME:
		if (!json_is_string(v)) {
			spec_error(w, f->name, "must be a string");
		} else if (json_string_length(v) > TIME_TEXT_LIMIT ||
			   !time_parse_iso8601(json_string_value(v), json_string_length(v),
					       &number)) {
			bad_value(
				w, f,
				"must be an ISO-8601 date and time, like \"2016-07-06T10:25:00Z\"");
		} else {
			*(int64_t *)at(out, f->offset) = number;
		}
		return;
	case SPEC_CHOICE:
		if (!text_ok(w, f, v, f->name))
			return;
		for (size_t i = 0; f->choices[i] != NULL; i++) {
			if (strcmp(f->choices[i], json_string_value(v)) == 0) {
				*(const char **)at(out, f->offset) = f->choices[i];
				return;
			}
		}
		choice_error(w, f);
		return;
	case SPEC_OBJECT: {
		if (!json_is_object(v)) {
			spec_error(w, f->name, "must be an object");
			return;
		}
		size_t saved = json_path_push_key(&w->path, f->name);
		bool ok = read_object(w, f->object, v, at(out, f->offset));
		json_path_pop(&w->path, saved);
		if (f->flags & SPEC_OK_FLAG)
			*(bool *)at(out, f->ok_offset) = ok;
		return;
	}
	case SPEC_LIST:
		if (json_is_array(v))
			read_list(w, f, v, out);
		else
			spec_error(w, f->name, "must be an array");
		return;
	case SPEC_TEXTS:
		if (json_is_array(v))
			read_texts(w, f, v, out);
		else
			spec_error(w, f->name, "must be an array");
		return;
	case SPEC_ARRAY:
		if (!json_is_array(v))
			spec_error(w, f->name, "must be an array");
		else if (json_array_size(v) > f->max_items)
			count_error(w, f);
		else
			*(const json_t **)at(out, f->offset) = v;
		return;
	}
}

/* Reports every member that no field of the table names. */
static void unknown_keys(struct spec_walk *w, const struct spec *s, json_t *obj)
{
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value)
	{
		(void)value;
		const struct spec_field *f = s->fields;
		while (f->name != NULL && strcmp(f->name, key) != 0)
			f++;
		if (f->name == NULL)
			spec_error(w, key, "unknown field");
	}
}

static bool read_object(struct spec_walk *w, const struct spec *s, json_t *obj, void *out)
{
	size_t before = field_errors_count(w->fe);
	unknown_keys(w, s, obj);
	for (const struct spec_field *f = s->fields; f->name != NULL; f++)
		read_field(w, f, obj, out);
	if (s->rules != NULL)
		s->rules(w, obj, out, field_errors_count(w->fe) == before);
	return field_errors_count(w->fe) == before;
}

bool spec_read(const struct spec *s, json_t *doc, void *out, void *context, field_errors *fe)
{
	struct spec_walk w = {.fe = fe, .context = context};
	json_path_init(&w.path);
	size_t before = field_errors_count(fe);
	if (doc == NULL || !json_is_object(doc))
		field_errors_add(fe, "", "the body must be a JSON object");
	else
		read_object(&w, s, doc, out);
	if (w.path.failed)
		fe->oom = true;
	json_path_free(&w.path);
	return field_errors_count(fe) == before && !fe->oom;
}

void spec_free(const struct spec *s, void *out)
{
	for (const struct spec_field *f = s->fields; f->name != NULL; f++) {
		if (f->type == SPEC_OBJECT) {
			spec_free(f->object, at(out, f->offset));
		} else if (f->type == SPEC_LIST) {
			char *items = *(char **)at(out, f->offset);
			size_t n = *(size_t *)at(out, f->count_offset);
			for (size_t i = 0; items != NULL && i < n; i++)
				spec_free(f->object, items + i * f->object->size);
			free(items);
			*(void **)at(out, f->offset) = NULL;
			*(size_t *)at(out, f->count_offset) = 0;
		}
	}
}
