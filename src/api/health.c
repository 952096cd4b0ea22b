/* GET /healthz: is the store answering? No key needed. */
#include "api/api.h"

handler_result api_health(struct request *req)
{
	int version = 0;
	if (store_health(req->store, &version) != STORE_OK) {
		reply_error(req, 503, "unavailable", "the store is not answering");
		return HANDLER_OK;
	}
	reply_json(req, 200,
		   json_pack("{s:s, s:s, s:i}", "status", "ok", "version", DROPLINE_VERSION,
			     "schema_version", version));
	return HANDLER_OK;
}
