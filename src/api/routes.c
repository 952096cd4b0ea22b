/*
 * The route table: every route of CONTRACT.md section 4 in one place. The
 * router matches it top to bottom; the server authenticates each route's
 * party and checks its declared query parameters before the handler runs.
 */
#include "api/api.h"

const struct route api_routes[] = {
	{"GET", "/healthz", api_health, PARTY_NONE, NULL, 0},

	{"POST", "/v1/retailers/:retailer_id/orders", api_orders_create, PARTY_RETAILER, NULL, 1},
	{"GET", "/v1/retailers/:retailer_id/orders", api_orders_list, PARTY_RETAILER,
	 api_orders_list_query, 0},
	{"GET", "/v1/retailers/:retailer_id/orders/:id", api_orders_get, PARTY_RETAILER, NULL, 0},
	{"POST", "/v1/retailers/:retailer_id/cancels", api_cancels_create, PARTY_RETAILER, NULL, 1},
	{"GET", "/v1/retailers/:retailer_id/cancels", api_cancels_list, PARTY_RETAILER,
	 api_cancels_list_query, 0},
	{"GET", "/v1/retailers/:retailer_id/cancels/:id", api_cancels_get, PARTY_RETAILER, NULL, 0},
	{"PUT", "/v1/retailers/:retailer_id/cancels/:id/acknowledge", api_cancels_acknowledge,
	 PARTY_RETAILER, NULL, 0},
	{"GET", "/v1/retailers/:retailer_id/shipments", api_shipments_list, PARTY_RETAILER,
	 api_shipments_list_query, 0},
	{"GET", "/v1/retailers/:retailer_id/shipments/:id", api_shipments_get, PARTY_RETAILER, NULL,
	 0},
	{"PUT", "/v1/retailers/:retailer_id/shipments/:id/acknowledge", api_shipments_acknowledge,
	 PARTY_RETAILER, NULL, 0},

	{"GET", "/v1/brands/:brand_id/orders", api_orders_list, PARTY_BRAND, api_orders_list_query,
	 0},
	{"GET", "/v1/brands/:brand_id/orders/:id", api_orders_get, PARTY_BRAND, NULL, 0},
	{"PUT", "/v1/brands/:brand_id/orders/:id/acknowledge", api_orders_acknowledge, PARTY_BRAND,
	 NULL, 0},
	{"POST", "/v1/brands/:brand_id/cancels", api_cancels_create, PARTY_BRAND, NULL, 1},
	{"GET", "/v1/brands/:brand_id/cancels", api_cancels_list, PARTY_BRAND,
	 api_cancels_list_query, 0},
	{"GET", "/v1/brands/:brand_id/cancels/:id", api_cancels_get, PARTY_BRAND, NULL, 0},
	{"PUT", "/v1/brands/:brand_id/cancels/:id/acknowledge", api_cancels_acknowledge,
	 PARTY_BRAND, NULL, 0},
	{"POST", "/v1/brands/:brand_id/shipments", api_shipments_create, PARTY_BRAND, NULL, 1},
	{"GET", "/v1/brands/:brand_id/shipments", api_shipments_list, PARTY_BRAND,
	 api_shipments_list_query, 0},
	{"GET", "/v1/brands/:brand_id/shipments/:id", api_shipments_get, PARTY_BRAND, NULL, 0},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
