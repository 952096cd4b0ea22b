/*
 * Query strings: each route declares the parameters it accepts, and one
 * call checks a request's parameters against that declaration, reporting
 * every unknown parameter and every bad value at once.
 */
#ifndef DROPLINE_API_QUERY_H
#define DROPLINE_API_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/validation.h"

/* More parameters than this in one request are refused. */
#define QUERY_MAX_PAIRS 64
/* Longest accepted value of any parameter, before its own limit. */
#define QUERY_MAX_VALUE 1024

typedef enum {
	QUERY_INTEGER, /* decimal integer within [min, max] */
	QUERY_BOOLEAN, /* "1" or "0", or "true" or "false" (CONTRACT.md section 5) */
	QUERY_EPOCH,   /* epoch seconds */
	QUERY_TEXT,    /* any non-empty text up to max_len bytes */
	QUERY_CHOICE,  /* one of choices[] */
} query_type;

enum {
	QUERY_REPEATABLE = 1 << 0, /* may be given more than once */
	QUERY_RANGE = 1 << 1,	   /* accepted as name_lt, name_lte, name_gt, name_gte */
};

struct query_param {
	const char *name; /* NULL ends a declaration list */
	query_type type;
	unsigned flags;
	int64_t min, max;	    /* QUERY_INTEGER */
	size_t max_len;		    /* QUERY_TEXT */
	const char *const *choices; /* QUERY_CHOICE, NULL-terminated */
	/* QUERY_TEXT: an optional check of the text, and what to say when it fails. */
	bool (*check)(const char *text);
	const char *check_message;
};

typedef enum {
	QUERY_OP_EQ,
	QUERY_OP_LT,
	QUERY_OP_LTE,
	QUERY_OP_GT,
	QUERY_OP_GTE,
} query_op;

struct query_value {
	const struct query_param *param;
	query_op op;
	char *text;	/* the value as given, owned by the query */
	int64_t number; /* INTEGER, BOOLEAN, EPOCH; index into choices for CHOICE */
};

struct query {
	struct query_value *values;
	size_t count;
};

/* One key=value of the request, as the HTTP layer decoded it (value may be NULL). */
struct query_pair {
	const char *key;
	const char *value;
	bool has_nul; /* the key or value held a NUL byte (%00): refused */
};

/*
 * query_parse() checks `n` pairs against the NULL-name-terminated `spec`
 * (NULL accepts no parameter at all). Every problem is added to fe, each with
 * the parameter's name as its field. Returns true when there was none; the
 * caller frees `out` with query_free() either way.
 */
bool query_parse(const struct query_param *spec, const struct query_pair *pairs, size_t n,
		 struct query *out, field_errors *fe);

void query_free(struct query *q);

/* The first value of `name` with operator `op`, or NULL. */
const struct query_value *query_find(const struct query *q, const char *name, query_op op);

/* Suffix of an operator: "", "_lt", "_lte", "_gt", "_gte". */
const char *query_op_suffix(query_op op);

#endif
