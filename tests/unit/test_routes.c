/*
 * The route table against what it promises (src/api/routes.c): every row
 * has a handler and a party that fits its path; the shared read handlers
 * have a resource; and every filter a list route declares is one the store
 * can apply to that resource, so a declaration cannot drift from the store
 * without a failing test.
 */
#include <check.h>
#include <string.h>

#include "api/api.h"
#include "handler.h" /* src/api/: struct resource, api_get, api_list */
#include "harness.h"
#include "store/store_records.h"

static bool is_page_parameter(const char *name)
{
	return strcmp(name, "limit") == 0 || strcmp(name, "cursor") == 0;
}

START_TEST(rows_are_whole)
{
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		ck_assert_msg(r->handler != NULL, "%s %s", r->method, r->pattern);
		bool retailer = strncmp(r->pattern, "/v1/retailers/:", 15) == 0;
		bool brand = strncmp(r->pattern, "/v1/brands/:", 12) == 0;
		party_kind want = retailer ? PARTY_RETAILER : brand ? PARTY_BRAND : PARTY_NONE;
		ck_assert_msg(r->party == want, "%s %s: party", r->method, r->pattern);
		if (r->handler == api_get || r->handler == api_list ||
		    r->handler == api_acknowledge)
			ck_assert_msg(r->resource != NULL, "%s %s: no resource", r->method,
				      r->pattern);
		if (r->accepts_body)
			ck_assert_msg(api_is_write(r->method), "%s %s: a read with a body",
				      r->method, r->pattern);
	}
}
END_TEST

START_TEST(list_filters_are_the_stores)
{
	size_t lists = 0;
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		if (r->handler != api_list)
			continue;
		lists++;
		ck_assert_msg(r->query != NULL, "%s: a list without limit and cursor", r->pattern);
		bool has_limit = false;
		for (const struct query_param *p = r->query; p->name != NULL; p++) {
			if (is_page_parameter(p->name)) {
				has_limit |= strcmp(p->name, "limit") == 0;
				continue;
			}
			record_kind kind = r->resource->kind;
			if (p->flags & QUERY_RANGE) {
				for (filter_op op = FILTER_LT; op <= FILTER_GTE; op++)
					ck_assert_msg(store_records_filterable(kind, p->name, op),
						      "%s: %s_%d", r->pattern, p->name, (int)op);
			} else if (p->flags & QUERY_REPEATABLE) {
				ck_assert_msg(store_records_filterable(kind, p->name, FILTER_IN),
					      "%s: %s (repeatable)", r->pattern, p->name);
			} else {
				ck_assert_msg(store_records_filterable(kind, p->name, FILTER_EQ),
					      "%s: %s", r->pattern, p->name);
			}
		}
		ck_assert_msg(has_limit, "%s: no limit", r->pattern);
	}
	ck_assert_uint_ge(lists, 8);
}
END_TEST

/* The check above can fail: a filter the store does not have is refused. */
START_TEST(an_unknown_filter_is_refused)
{
	ck_assert(!store_records_filterable(RECORD_SHIPMENT, "reason_id", FILTER_EQ));
	ck_assert(!store_records_filterable(RECORD_ORDER, "is_acknowledged", FILTER_LT));
	ck_assert(store_records_filterable(RECORD_CANCEL, "reason_id", FILTER_EQ));
	struct record_filter f = {.party = PARTY_RETAILER, .party_id = 500};
	struct record_cond cond = {.name = "tracking_number", .op = FILTER_EQ};
	ck_assert(!record_filter_add(&f, RECORD_SHIPMENT, &cond));
	ck_assert_uint_eq(f.nconds, 0);
}
END_TEST

static Suite *routes_suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, rows_are_whole);
	tcase_add_test(tc, list_filters_are_the_stores);
	tcase_add_test(tc, an_unknown_filter_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(routes_suite());
}
