/*
 * Answering with one stored record (an order, a shipment, a cancellation)
 * of the calling party, shaped into its representation.
 */
#ifndef DROPLINE_API_RECORDS_H
#define DROPLINE_API_RECORDS_H

#include <stdint.h>

#include <jansson.h>

#include "http/request.h"
#include "store/store.h"

/* A store getter: one record of a party by id, or STORE_NOT_FOUND. */
typedef store_status (*record_get_fn)(store_conn *c, party_kind party, int64_t party_id, int64_t id,
				      json_t **record);

struct record_kind {
	const char *name; /* "order", for "no order 7 here" */
	record_get_fn get;
	json_t *(*shape)(json_t *record);
};

/*
 * reply_record() reads the record through a read connection and answers
 * `status` with its representation; 404 when it is not the party's. In a
 * write that may defer its reply (request_after_commit()), the read happens
 * after the commit, off the committer's thread.
 */
void reply_record(struct request *req, unsigned status, const struct record_kind *kind,
		  party_kind party, int64_t party_id, int64_t id);

/* GET .../{kind}/{id}/: the route's party and its two path arguments. */
handler_result reply_record_of_route(struct request *req, const struct record_kind *kind);

#endif
