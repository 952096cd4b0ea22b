#include "receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

struct upload {
	char *data;
	size_t len;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	(void)url;
	(void)method;
	(void)version;
	const struct receiver *r = cls;
	struct upload *up = *con_cls;
	if (up == NULL) {
		*con_cls = up = calloc(1, sizeof(*up));
		return up ? MHD_YES : MHD_NO;
	}
	if (*size > 0) {
		char *more = realloc(up->data, up->len + *size + 1);
		if (more == NULL)
			return MHD_NO;
		memcpy(more + up->len, data, *size);
		up->data = more;
		up->len += *size;
		up->data[up->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	unsigned status = r->fn(r->ctx, c, up->data ? up->data : "");
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode why)
{
	(void)c;
	(void)why;
	struct upload *up = *con_cls;
	if (up != NULL) {
		free(up->data);
		free(up);
	}
	*con_cls = NULL;
	(void)cls;
}

void receiver_start(struct receiver *r, receiver_fn fn, void *ctx)
{
	*r = (struct receiver){.fn = fn, .ctx = ctx};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	r->daemon =
		MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
				 NULL, NULL, on_request, r, MHD_OPTION_SOCK_ADDR, &sa,
				 MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(r->daemon);
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_BIND_PORT);
	ck_assert_ptr_nonnull(info);
	r->port = info->port;
}

void receiver_stop(struct receiver *r)
{
	MHD_stop_daemon(r->daemon);
	r->daemon = NULL;
}
