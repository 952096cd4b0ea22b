/*
 * The route table: every route of CONTRACT.md section 4 in one place. The
 * router matches it top to bottom; the server authenticates each route's
 * party and checks its declared query parameters before the handler runs.
 */
#include "api/api.h"

const struct route api_routes[] = {
	{"GET", "/healthz", api_health, PARTY_NONE, NULL, 0},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
