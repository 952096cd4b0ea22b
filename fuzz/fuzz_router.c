/*
 * The router: router_match() with the real route table api_routes, for any
 * method and path. Input: the method, one space, the path (as C strings, so
 * an embedded NUL ends them as it would in libmicrohttpd). Checks: a found
 * route has the method asked for (GET for HEAD) and one positive argument
 * per ":name" segment; a "method not allowed" lists methods (never the one
 * asked for) within ROUTE_ALLOW_MAX; one trailing slash never changes the
 * answer.
 */
#include <stdbool.h>

#include "api/api.h"
#include "api/route.h"
#include "fuzz_util.h"

static size_t pattern_args(const char *pattern)
{
	size_t n = 0;
	for (const char *p = pattern; *p; p++)
		n += *p == ':';
	return n;
}

/* True when `method` is one entry of the "GET, HEAD" list. */
static bool allow_lists(const char *allow, const char *method)
{
	size_t mlen = strlen(method);
	const char *p = allow;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == mlen && memcmp(p, method, n) == 0)
			return true;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return false;
}

static route_match check_match(const char *method, const char *path, struct route_result *res)
{
	route_match m = router_match(api_routes, api_routes_count, method, path, res);
	const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
	switch (m) {
	case ROUTE_FOUND:
		FUZZ_CHECK(res->route >= api_routes && res->route < api_routes + api_routes_count);
		FUZZ_CHECK(strcmp(res->route->method, wanted) == 0);
		FUZZ_CHECK(res->nargs == pattern_args(res->route->pattern));
		FUZZ_CHECK(res->nargs <= ROUTE_MAX_ARGS);
		for (size_t i = 0; i < res->nargs; i++)
			FUZZ_CHECK(res->args[i] > 0 && res->args[i] < (int64_t)1000000000000000000);
		FUZZ_CHECK(path[0] == '/');
		break;
	case ROUTE_METHOD_NOT_ALLOWED:
		FUZZ_CHECK(memchr(res->allow, '\0', ROUTE_ALLOW_MAX) != NULL);
		FUZZ_CHECK(res->allow[0] != '\0');
		FUZZ_CHECK(!allow_lists(res->allow, wanted));
		FUZZ_CHECK(res->route == NULL);
		break;
	case ROUTE_NOT_FOUND: FUZZ_CHECK(res->route == NULL); break;
	default: FUZZ_CHECK(!"router_match() answered no route_match");
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *space = memchr(data, ' ', size);
	size_t mlen = space ? (size_t)(space - data) : 0;
	char *method = fuzz_strndup(data, mlen);
	size_t plen = space ? size - mlen - 1 : size;
	/* Room for one more '/' at the end. */
	char *path = malloc(plen + 2);
	FUZZ_REQUIRE(path != NULL);
	memcpy(path, space ? space + 1 : data, plen);
	path[plen] = '\0';

	struct route_result res, other;
	route_match m = check_match(method, path, &res);

	/* The same path with (or without) one trailing slash is the same route. */
	size_t n = strlen(path);
	bool changed = false;
	if (n > 0 && path[n - 1] == '/' && (n < 2 || path[n - 2] != '/')) {
		path[n - 1] = '\0';
		changed = true;
	} else if (n == 0 || path[n - 1] != '/') {
		path[n] = '/';
		path[n + 1] = '\0';
		changed = true;
	}
	if (changed && n > 1) {
		route_match m2 = check_match(method, path, &other);
		FUZZ_CHECK(m2 == m);
		if (m == ROUTE_FOUND) {
			FUZZ_CHECK(other.route == res.route && other.nargs == res.nargs);
			FUZZ_CHECK(memcmp(other.args, res.args, sizeof(res.args)) == 0);
		}
		if (m == ROUTE_METHOD_NOT_ALLOWED)
			FUZZ_CHECK(strcmp(other.allow, res.allow) == 0);
	}
	free(method);
	free(path);
	return 0;
}
