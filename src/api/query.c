/* Query parameter checking; see include/http/query.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timeutil.h"
#include "api/query.h"
#include "domain/spec.h"
#include "domain/text.h"
#include "domain/validation.h"

static const char *const op_suffixes[] = {
	[QUERY_OP_EQ] = "",    [QUERY_OP_LT] = "_lt",	[QUERY_OP_LTE] = "_lte",
	[QUERY_OP_GT] = "_gt", [QUERY_OP_GTE] = "_gte",
};

const char *query_op_suffix(query_op op)
{
	return op_suffixes[op];
}

/* Finds the declaration a key names, and the operator its suffix gives. */
static const struct query_param *spec_find(const struct query_param *spec, const char *key,
					   query_op *op)
{
	for (const struct query_param *p = spec; p != NULL && p->name != NULL; p++) {
		size_t len = strlen(p->name);
		if (strncmp(key, p->name, len) != 0)
			continue;
		if ((p->flags & QUERY_RANGE) == 0) {
			if (key[len] == '\0') {
				*op = QUERY_OP_EQ;
				return p;
			}
			continue;
		}
		for (query_op o = QUERY_OP_LT; o <= QUERY_OP_GTE; o++) {
			if (strcmp(key + len, op_suffixes[o]) == 0) {
				*op = o;
				return p;
			}
		}
	}
	return NULL;
}

/* Checks one value against its declaration; fills v->number. */
static bool value_check(const struct query_param *p, const char *key, const char *text,
			struct query_value *v, field_errors *fe)
{
	switch (p->type) {
	case QUERY_INTEGER:
		if (!text_parse_integer(text, &v->number) || v->number < p->min ||
		    v->number > p->max) {
			field_errors_add(fe, key, "must be an integer from %lld to %lld",
					 (long long)p->min, (long long)p->max);
			return false;
		}
		return true;
	case QUERY_BOOLEAN:
		/* 1/0 as the seeds write it, true/false as RevCascade's guides do. */
		if (strcmp(text, "1") == 0 || strcmp(text, "true") == 0) {
			v->number = 1;
		} else if (strcmp(text, "0") == 0 || strcmp(text, "false") == 0) {
			v->number = 0;
		} else {
			field_errors_add(fe, key, "must be 1 or 0 (or true or false)");
			return false;
		}
		return true;
	case QUERY_EPOCH:
		if (!time_parse_epoch(text, &v->number)) {
			field_errors_add(fe, key, "must be a time in epoch seconds");
			return false;
		}
		return true;
	case QUERY_TEXT:
		/* UTF-8, as JSON bodies must be; characters counted as body fields count them. */
		if (!text_is_utf8(text)) {
			field_errors_add(fe, key, "must be UTF-8 text");
			return false;
		}
		if (utf8_length(text, strlen(text)) > p->max_len) {
			field_errors_add(fe, key, "must be at most %zu characters", p->max_len);
			return false;
		}
		if (p->check != NULL && !p->check(text)) {
			field_errors_add(fe, key, "%s",
					 p->check_message ? p->check_message : "is not valid");
			return false;
		}
		return true;
	case QUERY_CHOICE:
		for (int64_t i = 0; p->choices[i] != NULL; i++) {
			if (strcmp(p->choices[i], text) == 0) {
				v->number = i;
				return true;
			}
		}
		{
			char allowed[256] = "";
			size_t used = 0;
			for (size_t i = 0; p->choices[i] != NULL && used < sizeof(allowed); i++)
				used += (size_t)snprintf(allowed + used, sizeof(allowed) - used,
							 "%s%s", i ? ", " : "", p->choices[i]);
			field_errors_add(fe, key, "must be one of %s, not '%.64s'", allowed, text);
		}
		return false;
	}
	return false;
}

/* True when an earlier value has the same declaration and operator. */
static bool seen_before(const struct query *q, const struct query_param *p, query_op op)
{
	for (size_t i = 0; i < q->count; i++)
		if (q->values[i].param == p && q->values[i].op == op)
			return true;
	return false;
}

bool query_parse(const struct query_param *spec, const struct query_pair *pairs, size_t n,
		 struct query *out, field_errors *fe)
{
	size_t before = field_errors_count(fe);
	out->values = NULL;
	out->count = 0;
	if (n > QUERY_MAX_PAIRS) {
		field_errors_add(fe, "", "at most %d query parameters are accepted",
				 QUERY_MAX_PAIRS);
		return false;
	}
	if (n > 0 && (out->values = calloc(n, sizeof(*out->values))) == NULL) {
		fe->oom = true;
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		const char *key = pairs[i].key, *text = pairs[i].value;
		query_op op = QUERY_OP_EQ;
		const struct query_param *p = spec_find(spec, key, &op);
		if (p == NULL) {
			field_errors_add(fe, key, "unknown parameter");
			continue;
		}
		if (pairs[i].has_nul) {
			field_errors_add(fe, key, "must not contain NUL characters");
			continue;
		}
		if (text == NULL || text[0] == '\0') {
			field_errors_add(fe, key, "must have a value");
			continue;
		}
		if (strlen(text) > QUERY_MAX_VALUE) {
			field_errors_add(fe, key, "is too long");
			continue;
		}
		if ((p->flags & QUERY_REPEATABLE) == 0 && seen_before(out, p, op)) {
			field_errors_add(fe, key, "may be given only once");
			continue;
		}
		struct query_value *v = &out->values[out->count];
		v->param = p;
		v->op = op;
		if (!value_check(p, key, text, v, fe))
			continue;
		if ((v->text = strdup(text)) == NULL) {
			fe->oom = true;
			continue;
		}
		out->count++;
	}
	return field_errors_count(fe) == before && !fe->oom;
}

void query_free(struct query *q)
{
	for (size_t i = 0; i < q->count; i++)
		free(q->values[i].text);
	free(q->values);
	q->values = NULL;
	q->count = 0;
}

const struct query_value *query_find(const struct query *q, const char *name, query_op op)
{
	for (size_t i = 0; i < q->count; i++)
		if (q->values[i].op == op && strcmp(q->values[i].param->name, name) == 0)
			return &q->values[i];
	return NULL;
}
