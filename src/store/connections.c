/*
 * Connections as records (CONTRACT.md section 18): a retailer and a brand,
 * their SLA hours and the shipping methods the connection allows. Their
 * representation shows catalog rows only, so their stamp is the catalog's
 * generation (the version is always 1).
 */
#include "list.h"
#include "tables.h"

/* clang-format off */
static const char connection_select[] =
	"SELECT c.id, c.retailer_id, r.name AS retailer_name, c.brand_id, b.name AS brand_name, "
	"c.hours_to_acknowledge, c.hours_to_fulfill, c.inventory_stale_hours, 1 AS version "
	"FROM connections c JOIN retailers r ON r.id = c.retailer_id "
	"JOIN brands b ON b.id = c.brand_id";
/* clang-format on */

static store_status connection_methods(store_conn *c, json_t *connections)
{
	return store_list_children(c, connections, STMT_CONNECTION_METHODS_OF, 0,
				   "shipping_methods");
}

static const struct filter_column connection_filters[] = {
	{NULL, NULL, 0, false},
};

const struct record_table store_connection_table = {
	.select = connection_select,
	.stamp_select = "SELECT c.id, 1 AS version FROM connections c",
	.from = "FROM connections c",
	.id_column = "c.id",
	.counts_from = NULL,
	.party_column = {[PARTY_RETAILER] = "c.retailer_id", [PARTY_BRAND] = "c.brand_id"},
	.stamp_stmt = STMT_CONNECTION_STAMP,
	.filters = connection_filters,
	.attach = connection_methods,
};
