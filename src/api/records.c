/* One record as a reply; see include/api/records.h. */
#include <stdio.h>

#include "api/records.h"

struct get {
	const struct record_kind *kind;
	party_kind party;
	int64_t party_id;
	int64_t id;
	json_t *record;
};

static store_status get_read(store_conn *c, void *ctx)
{
	struct get *g = ctx;
	return g->kind->get(c, g->party, g->party_id, g->id, &g->record);
}

static void reply_record_now(struct request *req, unsigned status, const struct record_kind *kind,
			     party_kind party, int64_t party_id, int64_t id)
{
	struct get g = {.kind = kind, .party = party, .party_id = party_id, .id = id};
	store_status st = store_read(req->store, get_read, &g);
	if (st == STORE_NOT_FOUND) {
		reply_error(req, 404, "not_found", "no %s %lld here", kind->name, (long long)id);
		return;
	}
	if (st != STORE_OK) {
		reply_store_error(req, st);
		return;
	}
	json_t *body = kind->shape(g.record);
	json_decref(g.record);
	reply_json(req, status, body);
}

/*
 * After the commit the write is durable: its answer must say so. A read
 * that fails (a busy store) is tried again; if it still fails, the answer
 * keeps the write's status with the record's id only, rather than a 5xx
 * that would make a client without Idempotency-Key apply it twice.
 */
static void build_after_commit(struct request *req, const struct after_commit *ac)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		reply_record_now(req, ac->status, ac->what, ac->party, ac->party_id, ac->id);
		if (req->reply.status == ac->status)
			return;
	}
	const struct record_kind *kind = ac->what;
	fprintf(stderr,
		"{\"level\":\"error\",\"component\":\"api\",\"message\":\"committed %s %lld "
		"answered with its id only: reading it back failed\"}\n",
		kind->name, (long long)ac->id);
	reply_json(req, ac->status, json_pack("{s:I}", "id", (json_int_t)ac->id));
}

void reply_record(struct request *req, unsigned status, const struct record_kind *kind,
		  party_kind party, int64_t party_id, int64_t id)
{
	struct after_commit ac = {.build = build_after_commit,
				  .status = status,
				  .what = kind,
				  .party = party,
				  .party_id = party_id,
				  .id = id};
	if (!request_after_commit(req, &ac))
		reply_record_now(req, status, kind, party, party_id, id);
}

handler_result reply_record_of_route(struct request *req, const struct record_kind *kind)
{
	reply_record(req, 200, kind, req->route.route->party, request_arg(req, 0),
		     request_arg(req, 1));
	return HANDLER_OK;
}
