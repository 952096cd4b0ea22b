/*
 * The probes, which need no key: GET /healthz (is the store answering?),
 * /livez (does the process answer?) and /readyz (may it take traffic:
 * migrations applied and the store answering?).
 */
#include "handler.h"

void api_health(struct api_request *req)
{
	int version = 0;
	if (store_health(req->app->store, &version) != STORE_OK) {
		api_refuse(req, REFUSED_UNAVAILABLE);
		return;
	}
	api_json(req, 200,
		 json_pack("{s:s, s:s, s:i}", "status", "ok", "version", DROPLINE_VERSION,
			   "schema_version", version));
}

void api_livez(struct api_request *req)
{
	api_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

void api_readyz(struct api_request *req)
{
	int version = 0;
	if (store_health(req->app->store, &version) != STORE_OK) {
		api_refuse(req, REFUSED_UNAVAILABLE);
		return;
	}
	if (version != store_latest_version()) {
		struct refusal *rf = api_refuse(req, REFUSED_NOT_MIGRATED);
		rf->id = version;
		rf->number = store_latest_version();
		return;
	}
	api_json(req, 200,
		 json_pack("{s:s, s:s, s:i}", "status", "ready", "version", DROPLINE_VERSION,
			   "schema_version", version));
}
