/*
 * The route table: every route of CONTRACT.md in one place. The router
 * matches it top to bottom; the server authenticates each route's party
 * and checks its declared query parameters before the handler runs. Reads
 * of one record and lists are the shared api_get and api_list over the
 * route's resource.
 */
#include "handler.h"

/* The read routes of a resource on one side: its list and one of it. */
#define READS(side, party, path, res, query)                                                       \
	{"GET", "/v1/" side "/:party_id/" path, api_list, party, query, 0, &(res)},                \
	{                                                                                          \
		"GET", "/v1/" side "/:party_id/" path "/:id", api_get, party, NULL, 0, &(res)      \
	}

const struct route api_routes[] = {
	{"GET", "/healthz", api_health, PARTY_NONE, NULL, 0, NULL},
	{"GET", "/livez", api_livez, PARTY_NONE, NULL, 0, NULL},
	{"GET", "/readyz", api_readyz, PARTY_NONE, NULL, 0, NULL},
	{"GET", "/metrics", api_metrics, PARTY_NONE, NULL, 0, NULL},
	/* OAuth2: its own body (form or JSON) and its own errors (RFC 6749). */
	{"POST", "/auth/token", api_token, PARTY_NONE, NULL, ROUTE_BODY_RAW, NULL},

	/* The retailer's side. */
	{"POST", "/v1/retailers/:party_id/orders", api_orders_create, PARTY_RETAILER, NULL, 1,
	 NULL},
	READS("retailers", PARTY_RETAILER, "orders", order_resource, api_orders_list_query),
	{"POST", "/v1/retailers/:party_id/cancels", api_cancels_create, PARTY_RETAILER, NULL, 1,
	 NULL},
	READS("retailers", PARTY_RETAILER, "cancels", cancel_resource, api_cancels_list_query),
	{"PUT", "/v1/retailers/:party_id/cancels/:id/acknowledge", api_acknowledge, PARTY_RETAILER,
	 NULL, 0, &cancel_resource},
	READS("retailers", PARTY_RETAILER, "shipments", shipment_resource,
	      api_shipments_list_query),
	{"PUT", "/v1/retailers/:party_id/shipments/:id/acknowledge", api_acknowledge,
	 PARTY_RETAILER, NULL, 0, &shipment_resource},
	READS("retailers", PARTY_RETAILER, "connections", connection_resource,
	      api_connections_list_query),
	{"GET", "/v1/retailers/:party_id/events", api_events_feed, PARTY_RETAILER, api_events_query,
	 0, &event_resource},
	{"GET", "/v1/retailers/:party_id/orders/:id/events", api_order_events, PARTY_RETAILER,
	 api_timeline_query, 0, &event_resource},
	READS("retailers", PARTY_RETAILER, "webhooks", webhook_resource, api_webhooks_list_query),
	{"POST", "/v1/retailers/:party_id/webhooks", api_webhooks_create, PARTY_RETAILER, NULL, 1,
	 NULL},
	{"DELETE", "/v1/retailers/:party_id/webhooks/:id", api_webhooks_delete, PARTY_RETAILER,
	 NULL, 0, &webhook_resource},
	{"PUT", "/v1/retailers/:party_id/webhooks/:id/enable", api_webhooks_enable, PARTY_RETAILER,
	 NULL, 0, &webhook_resource},
	{"GET", "/v1/retailers/:party_id/webhooks/:id/deliveries", api_webhooks_deliveries,
	 PARTY_RETAILER, api_webhook_deliveries_query, 0, &webhook_resource},

	/* The brand's side. */
	READS("brands", PARTY_BRAND, "orders", order_resource, api_orders_list_query),
	{"PUT", "/v1/brands/:party_id/orders/:id/acknowledge", api_acknowledge, PARTY_BRAND, NULL,
	 0, &order_resource},
	{"POST", "/v1/brands/:party_id/cancels", api_cancels_create, PARTY_BRAND, NULL, 1, NULL},
	READS("brands", PARTY_BRAND, "cancels", cancel_resource, api_cancels_list_query),
	{"PUT", "/v1/brands/:party_id/cancels/:id/acknowledge", api_acknowledge, PARTY_BRAND, NULL,
	 0, &cancel_resource},
	{"POST", "/v1/brands/:party_id/shipments", api_shipments_create, PARTY_BRAND, NULL, 1,
	 NULL},
	READS("brands", PARTY_BRAND, "shipments", shipment_resource, api_shipments_list_query),
	READS("brands", PARTY_BRAND, "connections", connection_resource,
	      api_connections_list_query),
	{"GET", "/v1/brands/:party_id/events", api_events_feed, PARTY_BRAND, api_events_query, 0,
	 &event_resource},
	{"GET", "/v1/brands/:party_id/orders/:id/events", api_order_events, PARTY_BRAND,
	 api_timeline_query, 0, &event_resource},
	READS("brands", PARTY_BRAND, "webhooks", webhook_resource, api_webhooks_list_query),
	{"POST", "/v1/brands/:party_id/webhooks", api_webhooks_create, PARTY_BRAND, NULL, 1, NULL},
	{"DELETE", "/v1/brands/:party_id/webhooks/:id", api_webhooks_delete, PARTY_BRAND, NULL, 0,
	 &webhook_resource},
	{"PUT", "/v1/brands/:party_id/webhooks/:id/enable", api_webhooks_enable, PARTY_BRAND, NULL,
	 0, &webhook_resource},
	{"GET", "/v1/brands/:party_id/webhooks/:id/deliveries", api_webhooks_deliveries,
	 PARTY_BRAND, api_webhook_deliveries_query, 0, &webhook_resource},
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
