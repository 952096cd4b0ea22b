/*
 * From store records (flat, raw columns) to the public representations of
 * the seed documents: times as ISO-8601 UTC, money as "250.00", nested
 * parties, addresses with every key present.
 */
#ifndef DROPLINE_API_REPRESENTATION_H
#define DROPLINE_API_REPRESENTATION_H

#include <jansson.h>

/*
 * The revision of the representations' shapes, part of every ETag: bump it
 * in a release that adds, removes or changes a field, so that clients do
 * not keep copies of the old shape through 304s.
 */
#define REPRESENTATION_REVISION 2

/* The order representation of an order record with its "lines". NULL on no memory. */
json_t *order_representation(json_t *record);

/* The shipment representation of a shipment record with its "lines". */
json_t *shipment_representation(json_t *record);

/* The cancellation representation of a cancel record with its "lines". */
json_t *cancel_representation(json_t *record);

/* The connection representation of a connection record with its "shipping_methods". */
json_t *connection_representation(json_t *record);

/* A time column (epoch seconds or null) as ISO-8601 text or null. */
json_t *time_value(json_t *epoch);

/* A variant as on order, shipment and cancel lines, from a line record's variant_* columns. */
json_t *line_variant_representation(json_t *line);

#endif
