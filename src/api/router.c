/* Route matching; see include/http/router.h. */
#include <stdbool.h>
#include <string.h>

#include "api/route.h"

#define ARG_MAX_DIGITS 18

/*
 * Matches one pattern against a path. Walks both segment by segment; the
 * path may end with one extra '/'. Fills args on success.
 */
static bool pattern_match(const char *pattern, const char *path, int64_t args[ROUTE_MAX_ARGS],
			  size_t *nargs)
{
	const char *p = pattern, *s = path;
	size_t n = 0;
	while (*p != '\0') {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		if (*p == ':') {
			while (*p != '\0' && *p != '/')
				p++;
			int64_t value = 0;
			size_t digits = 0;
			while (*s >= '0' && *s <= '9') {
				if (++digits > ARG_MAX_DIGITS)
					return false;
				value = value * 10 + (*s - '0');
				s++;
			}
			if (digits == 0 || value <= 0 || (*s != '\0' && *s != '/') ||
			    n == ROUTE_MAX_ARGS)
				return false;
			args[n++] = value;
		} else {
			while (*p != '\0' && *p != '/') {
				if (*p != *s)
					return false;
				p++;
				s++;
			}
			if (*s != '\0' && *s != '/')
				return false;
		}
	}
	if (*s == '/')
		s++;
	if (*s != '\0')
		return false;
	*nargs = n;
	return true;
}

/* Appends a method to the Allow list unless it is already there. */
static void allow_add(char allow[ROUTE_ALLOW_MAX], const char *method)
{
	size_t len = strlen(allow), mlen = strlen(method);
	const char *at = allow;
	while ((at = strstr(at, method)) != NULL) {
		bool starts = at == allow || at[-1] == ' ';
		bool ends = at[mlen] == '\0' || at[mlen] == ',';
		if (starts && ends)
			return;
		at += mlen;
	}
	if (len + (len ? 2 : 0) + mlen + 1 > ROUTE_ALLOW_MAX)
		return;
	if (len) {
		memcpy(allow + len, ", ", 2); /* NOLINT(bugprone-not-null-terminated-result): the
						 method and its NUL follow */
		len += 2;
	}
	memcpy(allow + len, method, mlen + 1);
}

route_match router_match(const struct route *table, size_t n, const char *method, const char *path,
			 struct route_result *res)
{
	bool path_known = false;
	const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < n; i++) {
		int64_t args[ROUTE_MAX_ARGS] = {0};
		size_t nargs = 0;
		if (!pattern_match(table[i].pattern, path, args, &nargs))
			continue;
		if (strcmp(table[i].method, wanted) == 0) {
			res->route = &table[i];
			memcpy(res->args, args, sizeof(args));
			res->nargs = nargs;
			res->allow[0] = '\0';
			return ROUTE_FOUND;
		}
		path_known = true;
		allow_add(res->allow, table[i].method);
		if (strcmp(table[i].method, "GET") == 0)
			allow_add(res->allow, "HEAD");
	}
	return path_known ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}
