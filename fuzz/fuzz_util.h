/*
 * What every libFuzzer harness of fuzz/ shares: the entry points' prototypes
 * (the project builds with -Wmissing-prototypes), an invariant check that
 * aborts (so libFuzzer saves the input), and NUL-terminated copies of the
 * input for the parsers that take C strings.
 */
#ifndef DROPLINE_FUZZ_UTIL_H
#define DROPLINE_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the code under test: a failure is a finding, not a harness error. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,    \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A harness's own failure (out of memory, setup): stops the run loudly. */
#define FUZZ_REQUIRE(cond)                                                                         \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz harness setup failed: %s (%s:%d)\n", #cond,          \
				__FILE__, __LINE__);                                               \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* `n` bytes as a malloc'd NUL-terminated string (embedded NULs kept as they are). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	FUZZ_REQUIRE(s != NULL);
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

static inline int fuzz_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * %XX-decodes n bytes into a malloc'd C string, '+' as a space when `plus`
 * (query strings); *nul (may be NULL) is set when a NUL came out.
 */
static inline char *fuzz_url_decode(const char *s, size_t n, bool plus, bool *nul)
{
	char *out = malloc(n + 1);
	FUZZ_REQUIRE(out != NULL);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int hi = i + 2 < n ? fuzz_hex((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < n ? fuzz_hex((unsigned char)s[i + 2]) : -1;
		if (c == '%' && hi >= 0 && lo >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (c == '\0' && nul != NULL)
			*nul = true;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return out;
}

/* Query pairs as libmicrohttpd's MHD_get_connection_values_n() reports them. */
struct fuzz_pairs {
	struct query_pair items[QUERY_MAX_PAIRS + 1];
	char *owned[2 * (QUERY_MAX_PAIRS + 1)];
	size_t count, nowned;
};

/*
 * Splits `size` bytes of a query string on '&' and each pair on its first
 * '=', decoding both; keeps at most QUERY_MAX_PAIRS + 1 pairs, as the
 * server does. Free with fuzz_pairs_free().
 */
static inline void fuzz_pairs_split(const char *data, size_t size, struct fuzz_pairs *p)
{
	p->count = p->nowned = 0;
	size_t start = 0;
	while (size > 0 && start <= size && p->count < QUERY_MAX_PAIRS + 1) {
		const char *amp = memchr(data + start, '&', size - start);
		size_t end = amp ? (size_t)(amp - data) : size;
		const char *eq = memchr(data + start, '=', end - start);
		struct query_pair *q = &p->items[p->count++];
		bool nul = false;
		size_t klen = eq ? (size_t)(eq - (data + start)) : end - start;
		char *key = fuzz_url_decode(data + start, klen, true, &nul);
		p->owned[p->nowned++] = key;
		q->key = key;
		q->value = NULL;
		if (eq != NULL) {
			char *value =
				fuzz_url_decode(eq + 1, end - (size_t)(eq + 1 - data), true, &nul);
			p->owned[p->nowned++] = value;
			q->value = value;
		}
		q->has_nul = nul;
		start = end + 1;
	}
}

static inline void fuzz_pairs_free(struct fuzz_pairs *p)
{
	for (size_t i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	p->nowned = p->count = 0;
}

#endif
