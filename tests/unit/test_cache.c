/*
 * The reply cache and ETags: a body is answered only for the exact stamp
 * it was made for, never goes back to an older stamp, and the budget
 * bounds what is held; If-None-Match is read as RFC 9110 says.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "cache.h"

static char *get(struct reply_cache *c, uint64_t key, int64_t version, int64_t generation)
{
	struct record_stamp s = {version, generation};
	size_t len = 0;
	char *body = reply_cache_get(c, key, &s, &len);
	if (body != NULL)
		ck_assert_uint_eq(len, strlen(body));
	return body;
}

static void put(struct reply_cache *c, uint64_t key, int64_t version, int64_t generation,
		const char *body)
{
	struct record_stamp s = {version, generation};
	reply_cache_put(c, key, &s, body, strlen(body));
}

START_TEST(a_body_is_answered_only_for_its_stamp)
{
	struct reply_cache *c = reply_cache_new(1 << 20);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(get(c, 7, 1, 1));
	put(c, 7, 1, 1, "{\"v\":1}");
	char *b = get(c, 7, 1, 1);
	ck_assert_str_eq(b, "{\"v\":1}");
	free(b);
	/* The order changed, or the catalog did: the old body is not answered. */
	ck_assert_ptr_null(get(c, 7, 2, 1));
	ck_assert_ptr_null(get(c, 7, 1, 2));
	/* Another key is another record. */
	ck_assert_ptr_null(get(c, 8, 1, 1));
	struct reply_cache_stats st;
	reply_cache_stats(c, &st);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.misses, 4);
	reply_cache_free(c);
}
END_TEST

START_TEST(a_newer_body_replaces_an_older_and_never_the_reverse)
{
	struct reply_cache *c = reply_cache_new(1 << 20);
	put(c, 7, 2, 1, "{\"v\":2}");
	/* A slow request that read version 1 finishes late. */
	put(c, 7, 1, 1, "{\"v\":1}");
	char *b = get(c, 7, 2, 1);
	ck_assert_str_eq(b, "{\"v\":2}");
	free(b);
	put(c, 7, 3, 1, "{\"v\":3}");
	ck_assert_ptr_null(get(c, 7, 2, 1));
	b = get(c, 7, 3, 1);
	ck_assert_str_eq(b, "{\"v\":3}");
	free(b);
	struct reply_cache_stats st;
	reply_cache_stats(c, &st);
	ck_assert_uint_eq(st.bytes, strlen("{\"v\":3}"));
	reply_cache_free(c);
}
END_TEST

START_TEST(the_budget_bounds_what_is_held)
{
	size_t budget = 64 * 1024;
	struct reply_cache *c = reply_cache_new(budget);
	char body[1001];
	memset(body, 'x', 1000);
	body[1000] = '\0';
	for (uint64_t key = 1; key <= 1000; key++)
		put(c, key, 1, 1, body);
	struct reply_cache_stats st;
	reply_cache_stats(c, &st);
	ck_assert_uint_le(st.bytes, budget);
	ck_assert_uint_ge(st.bytes, budget / 2); /* and it is used */
	/* A full cache still takes new bodies: older ones make room. */
	put(c, 4000, 1, 1, body);
	char *fresh = get(c, 4000, 1, 1);
	ck_assert_ptr_nonnull(fresh);
	free(fresh);
	reply_cache_stats(c, &st);
	ck_assert_uint_le(st.bytes, budget);
	/* A body larger than a 64th of the budget is not kept at all. */
	char *big = malloc(budget / 32 + 1);
	memset(big, 'y', budget / 32);
	big[budget / 32] = '\0';
	put(c, 5000, 1, 1, big);
	ck_assert_ptr_null(get(c, 5000, 1, 1));
	free(big);
	reply_cache_free(c);
}
END_TEST

START_TEST(if_none_match_is_read_as_rfc_9110_says)
{
	struct record_stamp s = {12, 3};
	char etag[ETAG_MAX];
	etag_format(1, &s, etag);
	ck_assert_str_eq(etag, "\"r1.v12.g3\"");
	ck_assert(!etag_matches(NULL, etag));
	ck_assert(!etag_matches("", etag));
	ck_assert(etag_matches("\"r1.v12.g3\"", etag));
	ck_assert(etag_matches("W/\"r1.v12.g3\"", etag));
	ck_assert(etag_matches("*", etag));
	ck_assert(etag_matches("\"a\", \"r1.v12.g3\"", etag));
	ck_assert(etag_matches("\"a\",W/\"r1.v12.g3\" , \"b\"", etag));
	ck_assert(!etag_matches("\"r1.v12.g30\"", etag));
	ck_assert(!etag_matches("\"r2.v12.g3\"", etag)); /* another shape */
	ck_assert(!etag_matches("\"r1.v1.g3\", \"r1.v12.g\"", etag));
	ck_assert(!etag_matches("r1.v12.g3", etag)); /* unquoted is not a tag */
	ck_assert(!etag_matches("**", etag));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("cache");
	tcase_add_test(tc, a_body_is_answered_only_for_its_stamp);
	tcase_add_test(tc, a_newer_body_replaces_an_older_and_never_the_reverse);
	tcase_add_test(tc, the_budget_bounds_what_is_held);
	tcase_add_test(tc, if_none_match_is_read_as_rfc_9110_says);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
