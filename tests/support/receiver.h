/*
 * A webhook receiver for tests: a libmicrohttpd daemon on 127.0.0.1 that
 * reads each request's body whole, hands it to the test's function and
 * answers the status that function returns.
 */
#ifndef DROPLINE_TEST_RECEIVER_H
#define DROPLINE_TEST_RECEIVER_H

#include <stdint.h>

#include <microhttpd.h>

/* One request, its body in hand ("" when none); returns the status to answer. */
typedef unsigned (*receiver_fn)(void *ctx, struct MHD_Connection *c, const char *body);

struct receiver {
	receiver_fn fn;
	void *ctx;
	struct MHD_Daemon *daemon;
	uint16_t port;
};

/* Starts r on a free port (r->port), a thread per connection; fails the test if it cannot. */
void receiver_start(struct receiver *r, receiver_fn fn, void *ctx);

/* Stops it: every request answered or dropped. */
void receiver_stop(struct receiver *r);

#endif
