/*
 * Showing records of any resource: one (with its ETag, 304 and the
 * representation cache) and pages of them. Internal to src/api/.
 */
#ifndef DROPLINE_API_RECORDS_H
#define DROPLINE_API_RECORDS_H

#include "api/request.h"

/*
 * records_render() renders an OUTCOME_RECORD: reads the record's stamp and,
 * unless the client has it (GET with If-None-Match: 304) or the cache holds
 * its representation, the record, in one snapshot. Sets req->reply, or turns
 * the outcome into a refusal (not found, a failing store) for api_render()
 * to render. A write's record is read after its commit: when the store
 * fails to answer, the reply keeps the write's status with the id only,
 * rather than a 5xx that would make a client apply it twice.
 */
void records_render(struct api_request *req);

#endif
