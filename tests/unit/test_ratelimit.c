/* Token buckets per API key, driven with explicit times. */
#include <stdlib.h>

#include "harness.h"
#include "http/ratelimit.h"

START_TEST(burst_then_refusal_with_the_wait)
{
	struct rate_limiter *rl = rate_limiter_new(2, 4);
	ck_assert_ptr_nonnull(rl);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(rate_limiter_take(rl, 7, 100.0), 0);
	/* Empty at 2 a second: the next token is half a second away, said as 1 s. */
	ck_assert_uint_eq(rate_limiter_take(rl, 7, 100.0), 1);
	ck_assert_uint_eq(rate_limiter_take(rl, 7, 100.5), 0);
	ck_assert_uint_eq(rate_limiter_take(rl, 7, 100.5), 1);
	rate_limiter_free(rl);
}
END_TEST

START_TEST(keys_have_their_own_buckets)
{
	struct rate_limiter *rl = rate_limiter_new(1, 1);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 10.0), 0);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 10.0), 1);
	ck_assert_uint_eq(rate_limiter_take(rl, 2, 10.0), 0);
	/* Many keys make the table grow; earlier buckets keep their state. */
	for (int64_t k = 100; k < 1100; k++)
		ck_assert_uint_eq(rate_limiter_take(rl, k, 10.0), 0);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 10.0), 1);
	ck_assert_uint_eq(rate_limiter_take(rl, 500, 10.0), 1);
	rate_limiter_free(rl);
}
END_TEST

START_TEST(refill_stops_at_the_burst)
{
	struct rate_limiter *rl = rate_limiter_new(10, 3);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 0.0), 0);
	/* An hour idle refills to 3, not to 36000. */
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(rate_limiter_take(rl, 1, 3600.0), 0);
	ck_assert_uint_ne(rate_limiter_take(rl, 1, 3600.0), 0);
	/* A clock that goes back does not refill. */
	ck_assert_uint_ne(rate_limiter_take(rl, 1, 3599.0), 0);
	rate_limiter_free(rl);
}
END_TEST

START_TEST(slow_rate_gives_a_long_wait)
{
	struct rate_limiter *rl = rate_limiter_new(0.1, 1);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 0.0), 0);
	ck_assert_uint_eq(rate_limiter_take(rl, 1, 0.0), 10);
	rate_limiter_free(rl);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");
	tcase_add_test(tc, burst_then_refusal_with_the_wait);
	tcase_add_test(tc, keys_have_their_own_buckets);
	tcase_add_test(tc, refill_stops_at_the_burst);
	tcase_add_test(tc, slow_rate_gives_a_long_wait);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
