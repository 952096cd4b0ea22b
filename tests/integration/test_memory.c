/*
 * Memory a client can make the server hold (docs/reliability.md, "Threat
 * model"): concurrent worst-case bodies, from clients with a valid key,
 * keep the process's peak (VmHWM) within the bound stated there, and the
 * memory goes back to the system afterwards (VmRSS). The server runs in
 * this process, so /proc/self/status is the server's (and these clients').
 *
 * Two bodies, each near the 1 MiB limit: the 1 MiB body of `{}` that became
 * an 80 MB tree (refused before parsing now), and the worst body the bounds
 * let through: 32,766 empty objects (the most costly value, 232 bytes of
 * tree each) and a string padding it to 1 MiB.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "domain/jsonscan.h"
#include "http/budget.h"

#ifdef __SANITIZE_ADDRESS__
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#if UNDER_ASAN
/*
 * ASan keeps freed memory in a quarantine (256 MB by default) to catch
 * use-after-free: this test measures what the server holds, not that.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16:allocator_release_to_os_interval_ms=100";
}
#endif

#define CONNECTIONS 64
#define MIB	    ((size_t)1 << 20)

/*
 * The bound docs/reliability.md states for bodies: the body budget, plus
 * per connection libmicrohttpd's 64 KiB and the request's own state, plus
 * the allocator's overhead on the trees' many small blocks (under ASan each
 * block also has a header and red zones: about twice as much).
 */
#define PER_CONNECTION ((size_t)128 << 10)
#define BOUND	       ((UNDER_ASAN ? 2 : 1) * BODY_BUDGET_DEFAULT + CONNECTIONS * PER_CONNECTION + 32 * MIB)

static struct test_server ts;
static struct demo_keys demo;

static void setup(void)
{
	ts_start_demo(&ts, &demo);
	client_use(&ts);
}

static void teardown(void)
{
	ts_stop_demo(&ts, &demo);
}

/* A line of /proc/self/status ("VmHWM:", "VmRSS:") in bytes. */
static size_t status_bytes(const char *name)
{
	FILE *f = fopen("/proc/self/status", "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	size_t kib = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0)
			kib = strtoull(line + strlen(name), NULL, 10);
	fclose(f);
	ck_assert_uint_gt(kib, 0);
	return kib << 10;
}

/* Starts a new peak: VmHWM becomes VmRSS (proc(5), clear_refs "5"). */
static bool reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f == NULL)
		return false;
	bool ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

/* {"x":[{},{},...]} of about 1 MiB: 349,000 values. */
static char *tiny_values_body(void)
{
	size_t n = 349000;
	char *b = malloc(3 * n + 16);
	ck_assert_ptr_nonnull(b);
	size_t k = (size_t)sprintf(b, "{\"x\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(b + k, i ? ",{}" : "{}", i ? 3 : 2);
		k += i ? 3 : 2;
	}
	memcpy(b + k, "]}", 3);
	return b;
}

/* The costliest body the bounds admit: JSON_SCAN_MAX_VALUES values, 1 MiB. */
static char *worst_admitted_body(void)
{
	/* Values: the object, "x", the array, the {}s, "pad" and its string. */
	size_t objects = JSON_SCAN_MAX_VALUES - 5;
	size_t len = SERVER_BODY_LIMIT - 16;
	char *b = malloc(len + 1);
	ck_assert_ptr_nonnull(b);
	size_t k = (size_t)sprintf(b, "{\"x\":[");
	for (size_t i = 0; i < objects; i++) {
		memcpy(b + k, i ? ",{}" : "{}", i ? 3 : 2);
		k += i ? 3 : 2;
	}
	k += (size_t)sprintf(b + k, "],\"pad\":\"");
	while (k < len - 2)
		b[k++] = 'a';
	memcpy(b + k, "\"}", 3);
	return b;
}

struct poster {
	pthread_barrier_t *start;
	const char *body;
	const char *key;
	long status;
};

static void *post_body(void *arg)
{
	struct poster *p = arg;
	pthread_barrier_wait(p->start);
	p->status = raw_call("POST", R500 "/orders/", p->key, p->body);
	return NULL;
}

START_TEST(concurrent_worst_bodies_stay_within_the_bound_and_memory_returns)
{
	char *tiny = tiny_values_body();
	char *worst = worst_admitted_body();
	size_t before = status_bytes("VmRSS:");
	bool peak_reset = reset_peak();
	size_t hwm_before = status_bytes("VmHWM:");
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, CONNECTIONS);
	struct poster posters[CONNECTIONS];
	pthread_t threads[CONNECTIONS];
	for (size_t i = 0; i < CONNECTIONS; i++) {
		posters[i] = (struct poster){
			.start = &start, .body = i % 2 ? worst : tiny, .key = demo.key500};
		ck_assert_int_eq(pthread_create(&threads[i], NULL, post_body, &posters[i]), 0);
	}
	size_t refused_early = 0, parsed = 0, over_budget = 0;
	for (size_t i = 0; i < CONNECTIONS; i++) {
		pthread_join(threads[i], NULL);
		long st = posters[i].status;
		if (i % 2 == 0) {
			/* Too many values: refused before any tree is built. */
			ck_assert_msg(st == 413, "tiny values body: %ld", st);
			refused_early++;
		} else {
			/* Parsed, and refused for its unknown fields; or no budget left: retry. */
			ck_assert_msg(st == 400 || st == 503, "worst admitted body: %ld", st);
			parsed += st == 400;
			over_budget += st == 503;
		}
	}
	pthread_barrier_destroy(&start);
	ck_assert_uint_gt(parsed, 0);
	size_t hwm = status_bytes("VmHWM:");
	size_t peak = hwm - (peak_reset ? hwm_before : before);
	fprintf(stderr,
		"memory: rss before %zu MiB, peak %zu MiB (+%zu MiB, bound +%zu MiB%s); "
		"413 %zu, 400 %zu, 503 %zu\n",
		before / MIB, hwm / MIB, peak / MIB, (size_t)BOUND / MIB,
		peak_reset ? "" : ", peak since start", refused_early, parsed, over_budget);
	ck_assert_msg(peak <= BOUND, "peak +%zu MiB over the bound +%zu MiB", peak / MIB,
		      (size_t)BOUND / MIB);
	/*
	 * The memory goes back: the last large request to end trims the
	 * allocator. Its completion may follow its answer by a moment.
	 */
	size_t after = 0;
	for (int i = 0; i < 100; i++) {
		after = status_bytes("VmRSS:");
		if (after <= before + 32 * MIB)
			break;
		usleep(100 * 1000);
	}
	fprintf(stderr, "memory: rss after %zu MiB\n", after / MIB);
	ck_assert_msg(after <= before + 32 * MIB, "rss %zu MiB after, %zu MiB before", after / MIB,
		      before / MIB);
	/* A normal order goes through afterwards. */
	json_decref(create_order(500, demo.key500, "[" LINE_5 "]"));
	free(tiny);
	free(worst);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("memory");
	tcase_set_timeout(tc, 240);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, concurrent_worst_bodies_stay_within_the_bound_and_memory_returns);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
