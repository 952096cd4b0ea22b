/*
 * What every libFuzzer harness of fuzz/ shares: the entry points' prototypes
 * (the project builds with -Wmissing-prototypes), an invariant check that
 * aborts (so libFuzzer saves the input), and NUL-terminated copies of the
 * input for the parsers that take C strings.
 */
#ifndef DROPLINE_FUZZ_UTIL_H
#define DROPLINE_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
