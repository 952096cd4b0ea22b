/*
 * The parts of an order a client sends (seed 001 "Create a new Order",
 * CONTRACT.md section 5), as plain values: what the API reads from a body,
 * what the rules decide over and what the store keeps.
 */
#ifndef DROPLINE_DOMAIN_ORDER_H
#define DROPLINE_DOMAIN_ORDER_H

#include <stdint.h>

/* Most lines one order (or one shipment or cancellation) may have. */
#define ORDER_MAX_LINES	       500
#define GIFT_MESSAGE_MAX_LINES 10
#define GIFT_MESSAGE_MAX_CHARS 64
#define PO_NUMBER_MAX	       32

/* How a line names its variant; id 0 and NULL mean "not given". */
struct variant_ref {
	int64_t id;
	const char *identifier;
	const char *upc;
};

/* An address; the optional texts may be NULL. */
struct address {
	const char *type, *name1, *name2, *street1, *street2, *city, *province, *postal_code,
		*country, *phone1, *phone2, *fax, *email;
};

#endif
