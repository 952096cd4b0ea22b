/*
 * Query strings: the input is split on '&' into pairs and each pair on its
 * first '=' (no '=': a key without a value), then %XX-decoded as
 * libmicrohttpd does, a decoded or raw NUL marking the pair has_nul; at most
 * QUERY_MAX_PAIRS + 1 pairs are kept, as the server does. query_parse()
 * checks them against the orders list declaration api_orders_list_query and
 * also the shipments and cancellations ones. A query that passes holds
 * exactly the pairs given, each within its declaration.
 */
#include <stdbool.h>

#include "api/query.h"
#include "domain/spec.h"
#include "domain/validation.h"
#include "handler.h"
#include "fuzz_util.h"

static bool in_spec(const struct query_param *spec, const struct query_param *p)
{
	for (const struct query_param *s = spec; s->name != NULL; s++)
		if (s == p)
			return true;
	return false;
}

static void check(const struct query_param *spec, const struct fuzz_pairs *p)
{
	struct query q;
	field_errors fe;
	field_errors_init(&fe);
	FUZZ_REQUIRE(!fe.oom);
	bool ok = query_parse(spec, p->items, p->count, &q, &fe);
	FUZZ_CHECK(ok == (field_errors_count(&fe) == 0 && !fe.oom));
	FUZZ_CHECK(q.count <= p->count);
	for (size_t i = 0; i < q.count; i++) {
		const struct query_value *v = &q.values[i];
		FUZZ_CHECK(in_spec(spec, v->param));
		FUZZ_CHECK(v->text != NULL && v->text[0] != '\0' &&
			   strlen(v->text) <= QUERY_MAX_VALUE);
		FUZZ_CHECK(v->op == QUERY_OP_EQ || (v->param->flags & QUERY_RANGE) != 0);
		switch (v->param->type) {
		case QUERY_INTEGER:
			FUZZ_CHECK(v->number >= v->param->min && v->number <= v->param->max);
			break;
		case QUERY_BOOLEAN: FUZZ_CHECK(v->number == 0 || v->number == 1); break;
		case QUERY_EPOCH: break;
		case QUERY_TEXT:
			FUZZ_CHECK(text_is_utf8(v->text) &&
				   utf8_length(v->text, strlen(v->text)) <= v->param->max_len);
			FUZZ_CHECK(v->param->check == NULL || v->param->check(v->text));
			break;
		case QUERY_CHOICE:
			FUZZ_CHECK(v->number >= 0);
			FUZZ_CHECK(strcmp(v->param->choices[v->number], v->text) == 0);
			break;
		}
		if ((v->param->flags & QUERY_REPEATABLE) == 0)
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(q.values[j].param != v->param ||
					   q.values[j].op != v->op);
		/* What query_find() answers for the name is a value of that name. */
		const struct query_value *f = query_find(&q, v->param->name, v->op);
		FUZZ_CHECK(f != NULL && f->param == v->param);
	}
	if (ok) {
		/* Every pair was accepted, in order, with its own text. */
		FUZZ_CHECK(q.count == p->count);
		for (size_t i = 0; i < q.count; i++) {
			FUZZ_CHECK(!p->items[i].has_nul);
			FUZZ_CHECK(strcmp(q.values[i].text, p->items[i].value) == 0);
			char name[128];
			snprintf(name, sizeof(name), "%s%s", q.values[i].param->name,
				 query_op_suffix(q.values[i].op));
			FUZZ_CHECK(strcmp(name, p->items[i].key) == 0);
		}
	}
	query_free(&q);
	field_errors_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pairs p;
	fuzz_pairs_split((const char *)data, size, &p);
	check(api_orders_list_query, &p);
	check(api_shipments_list_query, &p);
	check(api_cancels_list_query, &p);
	fuzz_pairs_free(&p);
	return 0;
}
