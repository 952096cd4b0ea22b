/* GET /healthz: is the store answering? No key needed. */
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
