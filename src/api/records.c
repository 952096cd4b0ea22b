/* One record as a reply; see include/api/records.h. */
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

static void build_after_commit(struct request *req, const struct after_commit *ac)
{
	reply_record_now(req, ac->status, ac->what, ac->party, ac->party_id, ac->id);
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
