/*
 * Connections (CONTRACT.md section 18): a retailer's brands and a brand's
 * retailers, with the SLA hours and the shipping methods each connection
 * allows, as RevCascade's Connections endpoint shows them (seed 001: "can
 * be looked up using the Connections endpoint"). Read only; the catalog
 * import writes them.
 */
#include "handler.h"
#include "list.h"
#include "representation.h"

const struct resource connection_resource = {
	.name = "connection", .kind = RECORD_CONNECTION, .represent = connection_representation};

const struct query_param api_connections_list_query[] = {
	LIST_QUERY_PARAMS,
	{.name = NULL},
};
