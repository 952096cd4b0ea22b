/*
 * Tests that run the dropline binary ($DROPLINE_BIN) as a user does: one
 * command to its end, with its exit status and output, or `dropline serve`
 * in the background, with the port read from its start line.
 */
#ifndef DROPLINE_TEST_BINARY_H
#define DROPLINE_TEST_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * A command that runs longer is killed (SIGALRM), so that none outlives its
 * test: a command within a test's 60 s, a server a little after them.
 */
#define BIN_RUN_SECONDS	  30
#define BIN_SERVE_SECONDS 90

struct bin_run {
	int status; /* exit status, or -1 when killed by a signal */
	char out[8192];
	char err[8192];
};

/* Reads a file into buf, cut to cap - 1 bytes and NUL-terminated ("" when missing). */
void bin_read_all(const char *path, char *buf, size_t cap);

/*
 * Runs dropline with `args` (NULL-terminated) from the directory `dir`, with
 * the DROPLINE_* variables unset, then the "NAME=value" of `env` (NULL, or
 * NULL-terminated) set. Its stdout and stderr go through dir/stdout and
 * dir/stderr into r.
 */
void bin_run(struct bin_run *r, const char *dir, const char *const *env, const char *const *args);

/*
 * Starts `dropline serve --db DB --listen 127.0.0.1:0 --threads 2
 * --rate-limit 0` from `dir`, its stderr into err_path, and waits for its
 * start line. Returns its pid and sets *port; fails the test when it does
 * not start.
 */
pid_t bin_serve(const char *dir, const char *db, const char *err_path, unsigned *port);

/*
 * Waits until the file at `path` contains `needle`, for at most 10 s;
 * leaves the file's text in buf. True when it appeared.
 */
bool bin_wait_for(const char *path, const char *needle, char *buf, size_t cap);

/* Sends SIGTERM and waits: the exit status, or -1 when a signal killed it. */
int bin_stop(pid_t pid);

#endif
