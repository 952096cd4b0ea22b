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

#include "api/api.h"
#include "http/query.h"
#include "fuzz_util.h"

static int hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX-decodes n bytes into a malloc'd C string; *nul when a NUL was in it. */
static char *decode(const uint8_t *s, size_t n, bool *nul)
{
	char *out = malloc(n + 1);
	FUZZ_REQUIRE(out != NULL);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			c = (uint8_t)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == '\0')
			*nul = true;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

struct pairs {
	struct query_pair items[QUERY_MAX_PAIRS + 1];
	char *owned[2 * (QUERY_MAX_PAIRS + 1)];
	size_t count, nowned;
};

static void split(const uint8_t *data, size_t size, struct pairs *p)
{
	size_t start = 0;
	while (start <= size && p->count < QUERY_MAX_PAIRS + 1) {
		const uint8_t *amp = memchr(data + start, '&', size - start);
		size_t end = amp ? (size_t)(amp - data) : size;
		const uint8_t *eq = memchr(data + start, '=', end - start);
		struct query_pair *q = &p->items[p->count++];
		bool nul = false;
		size_t klen = eq ? (size_t)(eq - (data + start)) : end - start;
		char *key = decode(data + start, klen, &nul);
		p->owned[p->nowned++] = key;
		q->key = key;
		q->value = NULL;
		if (eq != NULL) {
			char *value = decode(eq + 1, end - (size_t)(eq + 1 - data), &nul);
			p->owned[p->nowned++] = value;
			q->value = value;
		}
		q->has_nul = nul;
		start = end + 1;
	}
}

static bool in_spec(const struct query_param *spec, const struct query_param *p)
{
	for (const struct query_param *s = spec; s->name != NULL; s++)
		if (s == p)
			return true;
	return false;
}

static void check(const struct query_param *spec, const struct pairs *p)
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
			FUZZ_CHECK(strlen(v->text) <= v->param->max_len);
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
	struct pairs p = {.count = 0};
	if (size > 0)
		split(data, size, &p);
	check(api_orders_list_query, &p);
	check(api_shipments_list_query, &p);
	check(api_cancels_list_query, &p);
	for (size_t i = 0; i < p.nowned; i++)
		free(p.owned[i]);
	return 0;
}
