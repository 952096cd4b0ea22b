/*
 * bench/daemon_modes.c - compare libmicrohttpd 0.9.75 daemon modes.
 *
 * Usage: daemon_modes MODE PORT
 *   MODE: pool-epoll | per-connection | single-epoll | pool-poll
 *
 * Answers every GET with the same ~1.5 KB JSON order document until
 * SIGINT/SIGTERM, then prints to stderr the process CPU time (user+sys, µs)
 * and the number of requests answered.
 *
 * Build:
 *   gcc -std=c17 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
 *       -D_DEFAULT_SOURCE bench/daemon_modes.c -o /tmp/daemon_modes \
 *       $(pkg-config --cflags --libs libmicrohttpd) -lpthread
 *
 * Driven by bench/daemon_modes.sh.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <microhttpd.h>

/* A realistic order document (~1.5 KB), served as static bytes. */
static const char ORDER_JSON[] =
    "{\"id\":\"ord_01HZX8K4V7Q2M9T3R5B6N1C0DE\",\"status\":\"out_for_delivery\","
    "\"created_at\":\"2024-05-14T09:12:33Z\",\"updated_at\":\"2024-05-14T11:47:05Z\","
    "\"customer\":{\"id\":\"cus_7F3K2P9Q\",\"name\":\"Margaret Okonkwo-Lindqvist\","
    "\"email\":\"m.okonkwo@example.org\",\"phone\":\"+44 20 7946 0958\"},"
    "\"shipping_address\":{\"line1\":\"Flat 4B, 221 Baker Street\",\"line2\":\"\","
    "\"city\":\"London\",\"postcode\":\"NW1 6XE\",\"country\":\"GB\","
    "\"lat\":51.523767,\"lon\":-0.158555,\"instructions\":\"Leave with concierge "
    "if no answer; do not ring after 21:00.\"},"
    "\"items\":[{\"sku\":\"DL-CRT-0042\",\"name\":\"Insulated delivery crate, 40 L\","
    "\"qty\":2,\"unit_price_cents\":3499,\"tax_rate\":0.2,\"weight_g\":1850},"
    "{\"sku\":\"DL-BAG-0107\",\"name\":\"Reusable produce bag (set of 5)\","
    "\"qty\":1,\"unit_price_cents\":899,\"tax_rate\":0.2,\"weight_g\":240},"
    "{\"sku\":\"DL-ICE-0003\",\"name\":\"Gel ice pack, large\","
    "\"qty\":4,\"unit_price_cents\":349,\"tax_rate\":0.2,\"weight_g\":610}],"
    "\"totals\":{\"currency\":\"GBP\",\"subtotal_cents\":9293,\"tax_cents\":1859,"
    "\"shipping_cents\":495,\"discount_cents\":500,\"total_cents\":11147},"
    "\"payment\":{\"method\":\"card\",\"brand\":\"visa\",\"last4\":\"4242\","
    "\"captured\":true,\"captured_at\":\"2024-05-14T09:12:41Z\"},"
    "\"delivery\":{\"driver_id\":\"drv_19AC\",\"driver_name\":\"Tomasz Wieczorek\","
    "\"vehicle\":\"EV van LX71 ABC\",\"window_start\":\"2024-05-14T12:00:00Z\","
    "\"window_end\":\"2024-05-14T13:00:00Z\",\"eta\":\"2024-05-14T12:22:00Z\","
    "\"stop_sequence\":7,\"route_id\":\"rte_2024-05-14_LDN_N03\"},"
    "\"events\":[{\"at\":\"2024-05-14T09:12:33Z\",\"type\":\"created\"},"
    "{\"at\":\"2024-05-14T11:47:05Z\",\"type\":\"out_for_delivery\"}],"
    "\"notes\":\"Eco packaging requested.\",\"version\":12}\n";

static atomic_uint_fast64_t g_requests;
static struct MHD_Response *g_response;
static int g_first_call_marker;

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    (void)upload_data;

    /* First call: headers only. Queueing here would make 0.9.75 answer with
     * "Connection: close", so just mark the request and come back. */
    if (*req_cls == NULL) {
        *req_cls = &g_first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* discard any body */
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return MHD_NO;

    enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, g_response);
    if (r == MHD_YES)
        atomic_fetch_add_explicit(&g_requests, 1, memory_order_relaxed);
    return r;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr,
                "usage: %s pool-epoll|per-connection|single-epoll|pool-poll PORT\n",
                argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    char *end = NULL;
    errno = 0;
    long port = strtol(argv[2], &end, 10);
    if (errno != 0 || *end != '\0' || port <= 0 || port > 65535) {
        fprintf(stderr, "bad port: %s\n", argv[2]);
        return 2;
    }

    unsigned int flags;
    unsigned int pool = 0;
    if (strcmp(mode, "pool-epoll") == 0) {
        flags = MHD_USE_EPOLL_INTERNAL_THREAD;
        pool = 2;
    } else if (strcmp(mode, "per-connection") == 0) {
        flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD;
    } else if (strcmp(mode, "single-epoll") == 0) {
        flags = MHD_USE_EPOLL_INTERNAL_THREAD;
    } else if (strcmp(mode, "pool-poll") == 0) {
        flags = MHD_USE_POLL_INTERNAL_THREAD;
        pool = 2;
    } else {
        fprintf(stderr, "unknown mode: %s\n", mode);
        return 2;
    }
    flags |= MHD_USE_ERROR_LOG;

    g_response = MHD_create_response_from_buffer(
        sizeof ORDER_JSON - 1, (void *)ORDER_JSON, MHD_RESPMEM_PERSISTENT);
    if (g_response == NULL ||
        MHD_add_response_header(g_response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json") != MHD_YES) {
        fprintf(stderr, "cannot create response\n");
        return 1;
    }

    /* Block the stop signals before MHD spawns threads so that every thread
     * inherits the mask and only sigwait() below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
        fprintf(stderr, "pthread_sigmask failed\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d;
    if (pool > 0) {
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, NULL,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
                             MHD_OPTION_THREAD_POOL_SIZE, pool,
                             MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, NULL,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
                             MHD_OPTION_END);
    }
    if (d == NULL) {
        fprintf(stderr, "MHD_start_daemon failed (mode %s, port %ld)\n", mode,
                port);
        MHD_destroy_response(g_response);
        return 1;
    }
    fprintf(stderr, "listening mode=%s port=%ld body=%zu bytes\n", mode, port,
            sizeof ORDER_JSON - 1);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }

    MHD_stop_daemon(d);
    MHD_destroy_response(g_response);

    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        perror("getrusage");
        return 1;
    }
    long long cpu_us =
        ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
        ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    unsigned long long n =
        (unsigned long long)atomic_load_explicit(&g_requests, memory_order_relaxed);
    fprintf(stderr, "cpu_us=%lld requests=%llu\n", cpu_us, n);
    return 0;
}
