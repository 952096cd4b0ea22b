/*
 * The API: the route table (CONTRACT.md section 4) and its handlers, one
 * file per resource under src/api/.
 */
#ifndef DROPLINE_API_API_H
#define DROPLINE_API_API_H

#include <stddef.h>

#include "http/request.h"
#include "http/router.h"

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* Orders (src/api/orders.c). */
extern const struct query_param api_orders_list_query[];
handler_result api_orders_create(struct request *req);
handler_result api_orders_list(struct request *req);
handler_result api_orders_get(struct request *req);
handler_result api_orders_acknowledge(struct request *req);

/* Shipments (src/api/shipments.c). */
extern const struct query_param api_shipments_list_query[];
handler_result api_shipments_create(struct request *req);
handler_result api_shipments_list(struct request *req);
handler_result api_shipments_get(struct request *req);
handler_result api_shipments_acknowledge(struct request *req);

/* Cancellations (src/api/cancels.c), both sides. */
extern const struct query_param api_cancels_list_query[];
handler_result api_cancels_create(struct request *req);
handler_result api_cancels_list(struct request *req);
handler_result api_cancels_get(struct request *req);
handler_result api_cancels_acknowledge(struct request *req);

/* GET /healthz: 200 {"status": "ok", ...} when the store answers, else 503. */
handler_result api_health(struct request *req);

#endif
